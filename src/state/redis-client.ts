import { Cluster, Redis } from 'ioredis';

/** Every store takes either client: the commands, scripts and transactions they use are the same. */
export type RedisClient = Redis | Cluster;

/** Where the relay's Redis is: `REDIS_URL`, or a cluster seeded with `REDIS_CLUSTER_NODES`. */
export interface RedisTarget {
  readonly REDIS_URL: string;
  readonly REDIS_CLUSTER_NODES?: readonly string[] | undefined;
}

/** The options the relay sets on its clients. */
export interface ClientOptions {
  readonly maxRetriesPerRequest?: number | null;
  readonly enableOfflineQueue?: boolean;
  readonly lazyConnect?: boolean;
}

/**
 * A client for `target` with `options` (retries, offline queue, lazy connect). On a cluster the
 * nodes are dialled with REDIS_URL's credentials and TLS, reads go to the primaries (a replica may
 * lag a write the relay just made), and the offline queue and lazy connect apply to the cluster
 * client, where ioredis reads them.
 */
export function createRedisClient(target: RedisTarget, options: ClientOptions): RedisClient {
  const nodes = target.REDIS_CLUSTER_NODES;
  if (nodes === undefined || nodes.length === 0) return new Redis(target.REDIS_URL, { ...options });
  const { enableOfflineQueue, lazyConnect, maxRetriesPerRequest } = options;
  return new Cluster(nodes.map(seedNode), {
    redisOptions: {
      ...(maxRetriesPerRequest === undefined ? {} : { maxRetriesPerRequest }),
      ...credentialsOf(target.REDIS_URL),
    },
    scaleReads: 'master',
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
    ...(lazyConnect === undefined ? {} : { lazyConnect }),
  });
}

/** True when the relay runs on a Redis Cluster. */
export function isCluster(target: RedisTarget): boolean {
  return (target.REDIS_CLUSTER_NODES?.length ?? 0) > 0;
}

/**
 * BullMQ's key prefix. A queue's Lua scripts touch many of its keys at once, so on a cluster all of
 * them must hash to one slot: the prefix becomes a hash tag (`{jira-relay}`), as BullMQ documents.
 * A prefix that already holds a tag is kept; on a single Redis the prefix is unchanged, so queues
 * made before cluster mode existed keep their jobs.
 */
export function bullPrefix(target: RedisTarget & { readonly QUEUE_PREFIX: string }): string {
  const prefix = target.QUEUE_PREFIX;
  return isCluster(target) && !/\{[^}]+\}/.test(prefix) ? `{${prefix}}` : prefix;
}

/**
 * `part` as a key's hash tag on a cluster, so that keys sharing it hash to one slot (one site's
 * state, say), and as it is on a single Redis, whose keys keep the names they had before cluster
 * mode: an upgraded relay finds its connections, tokens and markers where it left them.
 */
export function slotTag(redis: RedisClient, part: string): string {
  return redis.isCluster ? `{${part}}` : part;
}

/**
 * The prefix of a family of keys that scripts or transactions touch together although no site ties
 * them (connections and their indexes, grants): `<prefix>:{<family>}` on a cluster, one slot for
 * the family, and `prefix` unchanged on a single Redis.
 */
export function familyPrefix(redis: RedisClient, prefix: string, family: string): string {
  return redis.isCluster ? `${prefix}:{${family}}` : prefix;
}

/**
 * The connection that holds `key`: the client itself on a single Redis; on a cluster, the primary
 * serving the key's slot, for commands that act on one node's keyspace (SCAN).
 */
export async function slotNode(redis: RedisClient, key: string): Promise<Redis> {
  if (!(redis instanceof Cluster)) return redis;
  const address = await slotPrimary(redis, key);
  const node = redis.nodes('all').find((n) => `${n.options.host}:${n.options.port}` === address);
  if (node === undefined) throw new Error(`no connection to ${address}, the primary of ${key}`);
  return node;
}

/**
 * `host:port` of the primary that serves `key`'s slot, asked of the cluster (CLUSTER SLOTS), not of
 * the client's own map: right after a failover that map may still name the old primary, back as a
 * replica, and a connection opened there would be refused every write until the client noticed.
 */
export async function slotPrimary(cluster: Cluster, key: string): Promise<string> {
  const slot = Number(await cluster.call('cluster', 'keyslot', key));
  const ranges = (await cluster.call('cluster', 'slots')) as [
    number,
    number,
    [string, number, ...unknown[]],
  ][];
  const range = ranges.find(([start, end]) => slot >= start && slot <= end);
  if (range === undefined) throw new Error(`no primary serves slot ${slot} of ${key}`);
  const [host, port] = range[2];
  return `${host}:${port}`;
}

function seedNode(node: string): { host: string; port: number } {
  const at = node.lastIndexOf(':');
  return { host: node.slice(0, at), port: Number(node.slice(at + 1)) };
}

function credentialsOf(url: string): { username?: string; password?: string; tls?: object } {
  const parsed = new URL(url);
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

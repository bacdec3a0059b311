import { Cluster, Redis } from 'ioredis';
import { createRedisClient, type RedisClient } from '../../src/state/redis-client.ts';

/** Every key under `prefix:` (SCAN, so a large keyspace is never blocked). */
export async function scanKeys(redis: RedisClient, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of scanBatches(redis, prefix)) keys.push(...batch);
  return keys;
}

/** Every key under `prefix:` and every value in it, whatever its type: for "no secret in Redis" checks. */
export async function dumpKeys(redis: RedisClient, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for (const key of await scanKeys(redis, prefix)) {
    out.push(key);
    const type = await redis.type(key);
    if (type === 'string') out.push((await redis.get(key)) ?? '');
    else if (type === 'hash') out.push(...Object.entries(await redis.hgetall(key)).flat());
    else if (type === 'set') out.push(...(await redis.smembers(key)));
    else if (type === 'zset') out.push(...(await redis.zrange(key, '0', '-1', 'WITHSCORES')));
    else if (type === 'list') out.push(...(await redis.lrange(key, 0, -1)));
    else if (type === 'stream')
      for (const [id, fields] of await redis.xrange(key, '-', '+')) out.push(id, ...fields);
    else if (!['string', 'hash', 'set', 'none'].includes(type))
      throw new Error(`dumpKeys cannot read ${key} (${type}): teach it, or tokens could hide there`);
  }
  return out;
}

/**
 * Removes every key under `prefix:`, batch by batch: what a test or benchmark leaves behind (dedupe
 * claims, known-entity hashes, cursors) otherwise piles up in the shared Redis and slows later runs.
 */
export async function deleteKeysWithPrefix(redis: RedisClient, prefix: string): Promise<number> {
  let deleted = 0;
  for await (const batch of scanBatches(redis, prefix)) deleted += await unlink(redis, batch);
  return deleted;
}

/** UNLINK, key by key on a cluster (the keys of a batch hash to many slots). */
async function unlink(redis: RedisClient, keys: readonly string[]): Promise<number> {
  if (!(redis instanceof Cluster)) return redis.unlink(...keys);
  const each = await Promise.all(keys.map((key) => redis.unlink(key)));
  return each.reduce((sum, n) => sum + n, 0);
}

/** The same, on a connection of its own: for teardowns that run after the test's connections closed. */
export async function deleteKeysAt(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    return await deleteKeysWithPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

/**
 * Removes the keys a test run created under names from `uniqueName()` (`<what>-<base36 ms>-<run tag
 * + 4 hex>`, as a key prefix or as a BullMQ queue name): the run's dedupe claims, queues and state,
 * which would otherwise pile up run after run. Other runs' keys have another tag and are untouched.
 */
export async function deleteRunKeys(
  url: string,
  runTag: string,
  clusterNodes?: readonly string[],
): Promise<number> {
  const redis = createRedisClient(
    { REDIS_URL: url, REDIS_CLUSTER_NODES: clusterNodes },
    { maxRetriesPerRequest: 1 },
  );
  const ours = new RegExp(`-[0-9a-z]{6,10}-${runTag}[0-9a-f]{4}$`);
  let deleted = 0;
  try {
    for await (const batch of scanBatches(redis, '*')) {
      const keys = batch.filter((key) => ours.test(nameIn(key)));
      if (keys.length > 0) deleted += await unlink(redis, keys);
    }
    return deleted;
  } finally {
    redis.disconnect();
  }
}

/** The uniqueName() part of a key: its first segment, or the queue name of a BullMQ key. */
function nameIn(key: string): string {
  // On a cluster the prefix is a hash tag: `{<prefix>}:…`.
  const [first, second] = key.replace(/^\{([^}]*)\}/, '$1').split(':');
  return (first === 'bull' ? second : first) ?? '';
}

/**
 * SCAN batches of keys under `prefix:`, and under `{prefix}:`, the prefix of a relay's queues on a
 * cluster; on a cluster, of every primary in turn.
 */
async function* scanBatches(redis: RedisClient, prefix: string): AsyncGenerator<string[], void, undefined> {
  // A cluster client knows its primaries once it is ready (a fresh one connects on its first command).
  if (redis instanceof Cluster && redis.status !== 'ready')
    await new Promise((ready) => redis.once('ready', ready));
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const patterns = prefix === '*' ? ['*'] : [`${prefix}:*`, `{${prefix}}:*`];
  for (const node of nodes)
    for (const pattern of patterns) {
      let cursor = '0';
      do {
        const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', '1000');
        if (batch.length > 0) yield batch;
        cursor = next;
      } while (cursor !== '0');
    }
}

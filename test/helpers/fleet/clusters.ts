import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const infra = path.resolve(import.meta.dirname, '../../infra');

/**
 * The fleet test's own clusters, through test/infra's scripts, on ports of their own: away from the
 * single Redis (6379) and broker (9092), the default clusters (7000-7005, 19292-19297), the
 * own-broker range (19192-19391) and replicated-topics' cluster (19492-19497), so stopping a node
 * here disturbs nobody else's test.
 */
const REDIS_BASE_PORT = 7100;
const KAFKA_BASE_PORT = 19392;
const redisEnv = {
  REDIS_CLUSTER_PORT: String(REDIS_BASE_PORT),
  // Outside the checkout's .redis-cluster/: the default cluster's `stop` removes that whole folder.
  REDIS_CLUSTER_DIR: path.join(tmpdir(), 'jira-relay-fleet-redis-cluster'),
};
const kafkaEnv = { KAFKA_CLUSTER_PORT: String(KAFKA_BASE_PORT), KAFKA_CLUSTER_NAME: 'fleet' };

/** The cluster's brokers, node n at index n - 1 (kafka-cluster.sh: every other port). */
export const fleetKafkaBrokers = [1, 2, 3].map((n) => `127.0.0.1:${KAFKA_BASE_PORT + 2 * (n - 1)}`);

async function script(name: string, env: Record<string, string>, args: string[]): Promise<string> {
  const { stdout } = await run('bash', [path.join(infra, name), ...args], {
    env: { ...process.env, ...env },
    timeout: 180_000,
  });
  return stdout.trim();
}

const redisCli = (port: number, ...args: string[]) =>
  run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 5000 }).then((r) =>
    r.stdout.trim(),
  );

/**
 * The port of the connected, non-failed primary serving `slot`, from `CLUSTER NODES` output
 * (`id host:port@bus flags primary-id ping pong epoch link slot-ranges...`); undefined if none.
 */
export function primaryPortForSlot(clusterNodes: string, slot: number): number | undefined {
  for (const line of clusterNodes.split('\n')) {
    const [, address = '', flags = '', , , , , link = '', ...ranges] = line.trim().split(/\s+/);
    const roles = flags.split(',');
    if (!roles.includes('master') || roles.some((f) => f.startsWith('fail')) || link !== 'connected')
      continue;
    const serves = ranges.some((range) => {
      if (range.startsWith('[')) return false; // a slot being migrated, not served
      const [lo = Number.NaN, hi = lo] = range.split('-').map(Number);
      return slot >= lo && slot <= hi;
    });
    if (serves) return Number(address.split('@')[0]?.split(':')[1]);
  }
  return undefined;
}

/** Whether the script's processes were up before this test: then it leaves them up at the end. */
export interface ClusterStart {
  readonly startedHere: boolean;
}

export const kafkaCluster = {
  async start(): Promise<ClusterStart> {
    const status = await script('kafka-cluster.sh', kafkaEnv, ['status']).catch(() => '');
    const wasUp = status.split('\n').filter((l) => l.startsWith('running')).length === 3;
    await script('kafka-cluster.sh', kafkaEnv, ['start']); // idempotent: waits for running nodes
    return { startedHere: !wasUp };
  },
  stop: () => script('kafka-cluster.sh', kafkaEnv, ['stop']),
  /** Graceful stop of node n (1-3), keeping its data. */
  stopNode: (n: number) => script('kafka-cluster.sh', kafkaEnv, ['stop-node', String(n)]),
  /** Starts node n again with its data; resolves once it answers metadata requests. */
  startNode: (n: number) => script('kafka-cluster.sh', kafkaEnv, ['start-node', String(n)]),
};

export const redisCluster = {
  async start(): Promise<ClusterStart> {
    const wasUp = await script('redis-cluster.sh', redisEnv, ['status']).then(
      () => true,
      () => false,
    );
    await script('redis-cluster.sh', redisEnv, ['start']);
    return { startedHere: !wasUp };
  },
  stop: () => script('redis-cluster.sh', redisEnv, ['stop']),
  /** REDIS_CLUSTER_NODES for the relay, as `redis-cluster.sh env` prints it. */
  nodes: async () =>
    (await script('redis-cluster.sh', redisEnv, ['env'])).replace(/^export REDIS_CLUSTER_NODES=/, ''),
  /** The hash slot of a key (of its `{tag}` when it has one). */
  keySlot: async (key: string) => Number(await redisCli(REDIS_BASE_PORT, 'cluster', 'keyslot', key)),
  /** kill -9 of the primary serving `slot`; returns its port. */
  killPrimary: async (slot: number) =>
    Number((await script('redis-cluster.sh', redisEnv, ['kill-primary', String(slot)])).split('\n').at(-1)),
  /** What a node says it is (ROLE): `master` or `slave`. */
  role: (port: number) =>
    redisCli(port, 'role').then(
      (r) => r.split('\n')[0],
      () => 'down',
    ),
  /** Starts a killed node again: it rejoins as a replica of the one promoted in its place. */
  revive: (port: number) => script('redis-cluster.sh', redisEnv, ['revive', String(port)]),
  /** The port of the primary serving `slot` as a node other than `notPort` sees it. */
  async primaryFor(slot: number, notPort: number): Promise<number | undefined> {
    const asker = REDIS_BASE_PORT + (notPort === REDIS_BASE_PORT ? 1 : 0);
    return primaryPortForSlot(await redisCli(asker, 'cluster', 'nodes'), slot);
  },
};

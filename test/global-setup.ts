import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { answers } from '../scripts/tcp-answers.ts';
import { deleteRunKeys } from './helpers/redis-keys.ts';
// The main process talks to Kafka too (warmKafka): the same filter as in the test processes.
import './setup/known-warnings.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    /** REDIS_CLUSTER_NODES when the run is on a Redis Cluster (relays and testRedis() use it), else ''. */
    redisClusterNodes: string;
    kafkaBrokers: string[];
    /** 4 hex digits that start the random part of every uniqueName() of this run. */
    runTag: string;
  }
}

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');

/**
 * Finds real Redis and Kafka for the tests, in this order: the URLs in REDIS_URL / KAFKA_BROKERS
 * (or their local defaults) when they answer; Testcontainers when a container runtime exists; the
 * local broker of test/infra/kafka.sh when Java and Maven exist; else one message saying what to do.
 */
export default async function setup(project: TestProject) {
  const stops: Array<() => Promise<unknown>> = [];
  const runTag = randomBytes(2).toString('hex');
  const { redisUrl, kafkaBrokers } = await findServices(stops);
  await warmKafka(kafkaBrokers);
  project.provide('redisUrl', redisUrl);
  project.provide('redisClusterNodes', process.env.REDIS_CLUSTER_NODES ?? '');
  project.provide('kafkaBrokers', kafkaBrokers);
  project.provide('runTag', runTag);
  return async () => {
    // What this run's tests named with uniqueName(): left behind, it piles up run after run.
    await deleteRunKeys(redisUrl, runTag, process.env.REDIS_CLUSTER_NODES?.split(',')).catch(() => undefined);
    for (const stop of stops.reverse()) await stop();
  };
}

/**
 * A fresh broker loads its transaction coordinator on the first idempotent producer, answering
 * "the coordinator is loading" meanwhile, which kafkajs logs as an error. Doing that first here
 * keeps it out of the tests that require a relay to log no error.
 */
async function warmKafka(brokers: string[]): Promise<void> {
  const { Kafka, logLevel } = await import('kafkajs');
  const producer = new Kafka({ brokers, clientId: 'test-setup', logLevel: logLevel.NOTHING }).producer({
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  await producer.disconnect();
}

/** How the setup looks at the machine; tests pass their own to see every outcome. */
export interface ServiceProbes {
  reachable(host: string, port: number): Promise<boolean>;
  containerRuntime(): Promise<typeof import('testcontainers') | undefined>;
  has(command: string): Promise<boolean>;
}

const machine: ServiceProbes = { reachable, containerRuntime, has };

/**
 * Decides where Redis and Kafka come from before starting anything, so that a machine missing
 * both learns it in one message naming each service and what to install or export for it.
 */
export async function findServices(
  stops: Array<() => Promise<unknown>>,
  env: Readonly<Record<string, string | undefined>> = process.env,
  probes: ServiceProbes = machine,
): Promise<{ redisUrl: string; kafkaBrokers: string[] }> {
  const redisUrl = env.REDIS_URL || 'redis://127.0.0.1:6379';
  const redis = new URL(redisUrl);
  const brokers = (env.KAFKA_BROKERS || '127.0.0.1:9092').split(',').map((s) => s.trim());
  const [host, port] = (brokers[0] ?? '').split(':');
  const redisUp = await probes.reachable(redis.hostname, Number(redis.port || 6379));
  const kafkaUp = Boolean(host) && (await probes.reachable(host as string, Number(port)));
  const tc = redisUp && kafkaUp ? undefined : await probes.containerRuntime();
  const localKafka = !kafkaUp && !tc && (await probes.has('java')) && (await probes.has('mvn'));

  const missing: string[] = [];
  if (!redisUp && !tc) {
    missing.push(
      `No Redis answers at ${redis.host} (REDIS_URL) and no container runtime was found. ` +
        'Start one (Debian: apt-get install redis-server; redis-server --daemonize yes) or export REDIS_URL.',
    );
  }
  if (!kafkaUp && !tc && !localKafka) {
    missing.push(
      `No Kafka answers at ${brokers[0]} (KAFKA_BROKERS), no container runtime was found, and Java or Maven ` +
        'is missing for the local broker. Install a JDK 17 and Maven (then test/infra/kafka.sh start), or export KAFKA_BROKERS.',
    );
  }
  if (missing.length === 1) throw new Error(missing[0]);
  if (missing.length > 1) {
    throw new Error(
      `The tests need services that are not available:\n${missing.map((m) => `- ${m}`).join('\n')}`,
    );
  }

  return {
    redisUrl: redisUp ? redisUrl : await startRedisContainer(tc as NonNullable<typeof tc>, stops),
    kafkaBrokers: kafkaUp
      ? brokers
      : tc
        ? await startKafkaContainer(tc, stops)
        : await startLocalKafka(stops),
  };
}

async function startRedisContainer(
  tc: typeof import('testcontainers'),
  stops: Array<() => Promise<unknown>>,
): Promise<string> {
  const container = await new tc.GenericContainer('redis:7.4')
    .withCommand(['redis-server', '--appendonly', 'yes', '--maxmemory-policy', 'noeviction'])
    .withExposedPorts(6379)
    .start();
  stops.push(() => container.stop());
  return `redis://${container.getHost()}:${container.getMappedPort(6379)}`;
}

async function startKafkaContainer(
  tc: typeof import('testcontainers'),
  stops: Array<() => Promise<unknown>>,
): Promise<string[]> {
  const container = await new tc.GenericContainer('apache/kafka:4.4.0')
    .withExposedPorts({ container: 9092, host: 19092 })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
      KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://localhost:19092',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    })
    .start();
  stops.push(() => container.stop());
  return ['localhost:19092'];
}

async function startLocalKafka(stops: Array<() => Promise<unknown>>): Promise<string[]> {
  const script = path.join(root, 'test/infra/kafka.sh');
  await run('bash', [script, 'start'], { cwd: root, timeout: 600_000 });
  stops.push(() => run('bash', [script, 'stop'], { cwd: root }));
  return ['127.0.0.1:9092'];
}

async function containerRuntime(): Promise<typeof import('testcontainers') | undefined> {
  try {
    const tc = await import('testcontainers');
    await tc.getContainerRuntimeClient();
    return tc;
  } catch {
    return undefined;
  }
}

async function has(command: string): Promise<boolean> {
  try {
    await run('sh', ['-c', `command -v ${command}`]);
    return true;
  } catch {
    return false;
  }
}

function reachable(host: string, port: number): Promise<boolean> {
  return answers(`${host}:${port}`, 2000);
}

import { randomBytes } from 'node:crypto';
import { inject, onTestFinished } from 'vitest';
import {
  bullPrefix,
  createRedisClient,
  type RedisClient,
  type RedisTarget,
} from '../../src/state/redis-client.ts';

/**
 * A name no other test (or run) uses: queues, topics, consumer groups, key prefixes. Its last part
 * starts with this run's tag, so the run's teardown can remove the Redis keys named after it.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${runTag()}${randomBytes(2).toString('hex')}`;
}

/** This test run's tag; outside vitest (benchmarks use the helpers too) a random one. */
function runTag(): string {
  try {
    return inject('runTag');
  } catch {
    return randomBytes(2).toString('hex');
  }
}

export function redisUrl(): string {
  return inject('redisUrl');
}

/** The Redis Cluster's seed nodes when the run is on one (REDIS_CLUSTER_NODES), else undefined. */
function redisClusterNodes(): string[] | undefined {
  const nodes = inject('redisClusterNodes');
  return nodes ? nodes.split(',') : undefined;
}

/** This run's Redis as the relay's configuration names it. */
export function redisTarget(): RedisTarget {
  return { REDIS_URL: redisUrl(), REDIS_CLUSTER_NODES: redisClusterNodes() };
}

/**
 * This run's Redis as environment variables, for configuration and relay processes a test builds
 * itself: REDIS_URL, and REDIS_CLUSTER_NODES on a cluster.
 */
export function redisEnv(): { REDIS_URL: string; REDIS_CLUSTER_NODES?: string } {
  const nodes = redisClusterNodes();
  return { REDIS_URL: redisUrl(), ...(nodes ? { REDIS_CLUSTER_NODES: nodes.join(',') } : {}) };
}

/**
 * The BullMQ prefix (and dedupe-claim prefix) of a relay started with QUEUE_PREFIX `prefix`, on this
 * run's Redis: `{prefix}` on a cluster. Tests that make queues beside the relay's, or their own on
 * testRedis(), use it as the relay does.
 */
export function bullPrefixOf(prefix: string): string {
  return bullPrefix({ ...redisTarget(), QUEUE_PREFIX: prefix });
}

export function kafkaBrokers(): string[] {
  return inject('kafkaBrokers');
}

/**
 * A Redis connection closed when the current test finishes, to the run's cluster when it has one.
 * BullMQ needs maxRetriesPerRequest null.
 */
export function testRedis(): RedisClient {
  const redis = createRedisClient(redisTarget(), { maxRetriesPerRequest: null });
  onTestFinished(async () => {
    await redis.quit();
  });
  return redis;
}

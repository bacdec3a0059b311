import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject, onTestFinished } from 'vitest';

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

export function kafkaBrokers(): string[] {
  return inject('kafkaBrokers');
}

/** A Redis connection closed when the current test finishes. BullMQ needs maxRetriesPerRequest null. */
export function testRedis(): Redis {
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  onTestFinished(async () => {
    await redis.quit();
  });
  return redis;
}

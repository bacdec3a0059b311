import type { Config } from '../../config/index.ts';
import { RedisCommandStore } from '../commands/command-store.ts';
import { RedisPendingWrites } from '../commands/echo/pending-writes.ts';
import type { RedisClient } from '../state/redis-client.ts';

type CommandConfig = Pick<
  Config,
  'QUEUE_PREFIX' | 'COMMAND_RESULT_TTL_SECONDS' | 'COMMAND_RECENT_PER_SITE' | 'ECHO_PENDING_TTL_SECONDS'
>;

/** What api and worker processes share of two-way sync: commands' results, and pending writes. */
export function createCommandStores(config: CommandConfig, redis: RedisClient, now: () => number) {
  return {
    store: new RedisCommandStore(redis, {
      prefix: config.QUEUE_PREFIX,
      resultTtlSeconds: config.COMMAND_RESULT_TTL_SECONDS,
      recentPerSite: config.COMMAND_RECENT_PER_SITE,
    }),
    writes: new RedisPendingWrites(redis, {
      prefix: config.QUEUE_PREFIX,
      ttlSeconds: config.ECHO_PENDING_TTL_SECONDS,
      now,
    }),
  };
}

import type { ConnectionOptions } from 'bullmq';
import { type ClientOptions, createRedisClient, isCluster, type RedisTarget } from '../state/redis-client.ts';
import type { Shutdown } from './shutdown.ts';

/**
 * BullMQ's connection for queues or workers. On a single Redis it is options, and BullMQ opens
 * (and closes) its own connections from them, as before cluster mode. On a cluster it is a cluster
 * client: BullMQ takes no cluster seeds as options, so the client is made here and closed by
 * `shutdown` after the queues and workers that share it.
 */
export function bullConnection(
  config: RedisTarget,
  options: ClientOptions,
  shutdown: Shutdown,
  name: string,
): ConnectionOptions {
  if (!isCluster(config)) return { url: config.REDIS_URL, ...options } as ConnectionOptions;
  const client = createRedisClient(config, options);
  shutdown.add(`${name} redis cluster client`, () => client.quit().catch(() => client.disconnect()));
  return client;
}

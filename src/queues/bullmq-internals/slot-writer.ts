import { Cluster, Redis } from 'ioredis';
import { slotPrimary } from '../../state/redis-client.ts';

/**
 * The writer connection of a queue whose client is `client`: a duplicate of it on a single Redis;
 * on a cluster, a plain connection to the primary that serves the queue's slot (`slotKey`), since a
 * corked MULTI is written to one socket and every key of the queue hashes to that slot.
 *
 * A slot writer does not reconnect: after a failover its node is gone or a replica, so `onLost`
 * tells the queue to resolve the slot's primary again for the next transaction.
 */
export async function openWriter(
  client: Redis | Cluster,
  slotKey: string,
  onLost: () => void,
): Promise<Redis> {
  // Unanswered commands fail with the connection instead of being replayed after it: a replay
  // would run a transaction's commands without its MULTI.
  if (!(client instanceof Cluster)) return client.duplicate({ autoResendUnfulfilledCommands: false });
  const primary = await slotPrimary(client, slotKey);
  const at = primary.lastIndexOf(':');
  const writer = new Redis({
    ...(client.options.redisOptions as object),
    host: primary.slice(0, at),
    port: Number(primary.slice(at + 1)),
    autoResendUnfulfilledCommands: false,
    retryStrategy: () => null,
  });
  writer.once('end', onLost);
  return writer;
}

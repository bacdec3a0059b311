import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { queueNames } from '../../src/queues/queue-names.ts';
import { RedisSyncCursors } from '../../src/state/cursors.ts';
import { SyncScheduler } from '../../src/sync/sync-scheduler.ts';
import { deleteKeysAt } from '../../test/helpers/redis-keys.ts';
import { RedisMeter } from './redis-meter.ts';

/** What the planner's BullMQ writes cost, per rescheduled connection. */
export interface RescheduleCost {
  readonly connections: number;
  /** First planning: the poll scheduler is new (plus the reconcile upsert and the interval write). */
  readonly createMsPerConnection: number;
  /** A later round that moves the interval by more than a fifth. */
  readonly changeMsPerConnection: number;
  /** Redis commands the two upserts and the interval write send per connection (creating). */
  readonly commandsPerConnection: number;
}

/**
 * The simulation replaces BullMQ with a virtual queue, so the planner's rounds there leave out what
 * its job-scheduler upserts cost in Redis. This times them on a real BullMQ queue (unique prefix,
 * removed afterwards): the real SyncScheduler, one connection after the other as the planner
 * does, once to create the schedulers and once to change their interval.
 */
export async function measureRescheduleCost(redisUrl: string, connections: number): Promise<RescheduleCost> {
  const prefix = `bench-planner-bullmq-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  // One connection for the queue and the cursors, so the meter sees every command.
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(queueNames.sync, { connection: redis, prefix });
  const meter = new RedisMeter(redis);
  const cursors = new RedisSyncCursors(redis, prefix);
  const scheduler = new SyncScheduler(queue, cursors, {
    reconcileEveryMs: 86_400_000,
    firstPollEveryMs: 60_000,
    planEveryMs: 300_000,
    backfillFrom: null,
    now: Date.now,
  });
  const ids = Array.from({ length: connections }, (_, i) => `bench-connection-${i}`);
  const reschedule = (every: number) =>
    meter.measure(async () => {
      for (const id of ids) {
        await scheduler.schedulePoll(id, every);
        await scheduler.scheduleReconcile(id);
        await cursors.setInterval(id, every);
      }
    });
  const per = (n: number) => n / Math.max(1, connections);
  try {
    await queue.waitUntilReady();
    const create = await reschedule(2_760_000);
    const change = await reschedule(690_000);
    return {
      connections,
      createMsPerConnection: per(create.wallMs),
      changeMsPerConnection: per(change.wallMs),
      commandsPerConnection: per(create.commands),
    };
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    redis.disconnect();
    await deleteKeysAt(redisUrl, prefix);
  }
}

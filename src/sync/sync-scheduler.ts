import { createHash } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { RedisSyncCursors } from '../state/cursors.ts';
import { syncJobs } from './sync-jobs.ts';

export interface SyncSchedulerOptions {
  /** SYNC_RECONCILE_INTERVAL_SECONDS in ms. */
  readonly reconcileEveryMs: number;
  /** Interval of a new connection's poll until the planner has planned it (SYNC_POLL_MIN_INTERVAL_SECONDS). */
  readonly firstPollEveryMs: number;
  /** SYNC_PLAN_INTERVAL_SECONDS in ms. */
  readonly planEveryMs: number;
  /** SYNC_BACKFILL_START as epoch ms; null: from the beginning. */
  readonly backfillFrom: number | null;
  readonly now: () => number;
}

/**
 * The BullMQ side of sync: one job scheduler per connection for its poll and one for its reconcile,
 * the planner's own scheduler, and the backfill job (one per connection: deduplicated while one is
 * queued or running; it carries on slice by slice from the checkpoint in Redis).
 */
export class SyncScheduler {
  readonly #queue: Queue;
  readonly #cursors: RedisSyncCursors;
  readonly #o: SyncSchedulerOptions;

  constructor(queue: Queue, cursors: RedisSyncCursors, opts: SyncSchedulerOptions) {
    this.#queue = queue;
    this.#cursors = cursors;
    this.#o = opts;
  }

  /** New (or re-consented) connections: poll and reconcile schedules, and a backfill unless one exists. */
  async connected(connectionIds: readonly string[]): Promise<void> {
    for (const id of connectionIds) {
      const poll = await this.#cursors.poll(id);
      await this.schedulePoll(id, poll.intervalMs ?? this.#o.firstPollEveryMs);
      await this.scheduleReconcile(id);
      if (!(await this.#cursors.backfill(id))) {
        await this.#cursors.startBackfill(id, this.#o.backfillFrom, this.#o.now());
        await this.queueBackfill(id);
      }
    }
  }

  async schedulePlanner(): Promise<void> {
    await this.#queue.upsertJobScheduler(
      'sync-plan',
      { every: this.#o.planEveryMs },
      { name: syncJobs.plan },
    );
  }

  /**
   * The connection's poll every `everyMs`. BullMQ runs a scheduler whose `every` changed at once, so
   * when the planner moves the intervals of many sites in one round (they share one when the pool is
   * the app's) they would all poll together, and stay in phase. `spread` gives each connection its
   * own phase within the interval instead, the same on every reschedule: its next poll comes within
   * one new interval. A new connection is not spread: its first poll runs at once.
   */
  async schedulePoll(connectionId: string, everyMs: number, opts: { spread?: boolean } = {}): Promise<void> {
    const every = Math.max(1, Math.round(everyMs));
    const offset = opts.spread && every > 1 ? pollPhase(connectionId, every) : undefined;
    await this.#queue.upsertJobScheduler(
      `sync-poll:${connectionId}`,
      offset === undefined ? { every } : { every, offset },
      { name: syncJobs.poll, data: { connectionId } },
    );
  }

  async scheduleReconcile(connectionId: string): Promise<void> {
    await this.#queue.upsertJobScheduler(
      `sync-reconcile:${connectionId}`,
      { every: this.#o.reconcileEveryMs },
      { name: syncJobs.reconcile, data: { connectionId } },
    );
  }

  /** A backfill slice job for the connection, unless one is already queued or running. */
  async queueBackfill(connectionId: string): Promise<string | null> {
    const job = await this.#queue.add(
      syncJobs.backfill,
      { connectionId },
      { deduplication: { id: `backfill-${connectionId}` } },
    );
    return job.id ?? null;
  }

  /** A replay slice job for the connection, unless one is already queued or running. */
  async queueReplay(connectionId: string): Promise<string | null> {
    const job = await this.#queue.add(
      syncJobs.replay,
      { connectionId },
      { deduplication: { id: `replay-${connectionId}` } },
    );
    return job.id ?? null;
  }

  async queuePoll(connectionId: string): Promise<string | null> {
    const job = await this.#queue.add(syncJobs.poll, { connectionId });
    return job.id ?? null;
  }

  /** A connection that went away: nothing of it is scheduled any more. */
  async forget(connectionId: string): Promise<void> {
    await this.#queue.removeJobScheduler(`sync-poll:${connectionId}`);
    await this.#queue.removeJobScheduler(`sync-reconcile:${connectionId}`);
  }
}

/** A connection's phase in (0, every): a hash of its id, so it stays put across reschedules. */
export function pollPhase(connectionId: string, every: number): number {
  const digest = createHash('sha256').update(connectionId).digest();
  return 1 + (digest.readUInt32BE(0) % (every - 1));
}

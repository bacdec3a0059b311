import type { Queue } from 'bullmq';
import type { SyncControl, SyncRequest, SyncStatus } from './sync-control.ts';

/** Job names on the `jira-sync` queue that the admin levers start. */
export const adminSyncJobs = {
  poll: 'sync.poll',
  backfill: 'sync.backfill',
} as const;

/**
 * Interim SyncControl until background sync (issue 7) lands: each lever becomes a job on the
 * `jira-sync` queue, and nothing is stored besides. A rewind is a poll asked to read from `since`.
 * It knows no sync state, so `status` says so (null) instead of inventing figures.
 */
export class QueueSyncControl implements SyncControl {
  readonly #queue: Queue;

  constructor(queue: Queue) {
    this.#queue = queue;
  }

  async status(_connectionId: string): Promise<SyncStatus | null> {
    return null;
  }

  resync(connectionId: string): Promise<SyncRequest> {
    return this.#add(adminSyncJobs.poll, { connectionId, requestedBy: 'admin' });
  }

  backfill(connectionId: string, from: Date | null): Promise<SyncRequest> {
    return this.#add(adminSyncJobs.backfill, {
      connectionId,
      from: from?.toISOString() ?? null,
      requestedBy: 'admin',
    });
  }

  rewindCursor(connectionId: string, to: Date): Promise<SyncRequest> {
    return this.#add(adminSyncJobs.poll, { connectionId, since: to.toISOString(), requestedBy: 'admin' });
  }

  async #add(name: string, data: Record<string, unknown>): Promise<SyncRequest> {
    const job = await this.#queue.add(name, data);
    return { jobId: job.id ?? null };
  }
}

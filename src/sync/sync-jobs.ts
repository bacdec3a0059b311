import { z } from 'zod';

/** Jobs of the `jira-sync` queue, by name (the admin API's levers use the same names). */
export const syncJobs = {
  /** Incremental poll of one connection (job scheduler per connection, or an operator's resync). */
  poll: 'sync.poll',
  /** One slice of a connection's backfill; it re-queues itself until the scan is done. */
  backfill: 'sync.backfill',
  /** One slice of a connection's replay (re-emits a window); it re-queues itself until done. */
  replay: 'sync.replay',
  /** Deletion reconcile of one connection (job scheduler per connection). */
  reconcile: 'sync.reconcile',
  /** Scheduler: poll intervals re-planned from the budget and webhook health. */
  plan: 'sync.plan',
} as const;

/**
 * A job about one connection. `from` on a backfill job starts a new backfill (ISO date, or null
 * for the beginning); `since` on a poll job first moves the cursor (an operator's rewind).
 */
export const connectionJobSchema = z.object({
  connectionId: z.string().min(1),
  from: z.iso.datetime({ offset: true }).nullable().optional(),
  since: z.iso.datetime({ offset: true }).optional(),
});

export type ConnectionJob = z.infer<typeof connectionJobSchema>;

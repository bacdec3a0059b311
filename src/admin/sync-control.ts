/**
 * What the admin API needs from background sync (issue 7): its per-connection state for operators,
 * and the operator's levers. Every status field is null where the sync side has nothing to say
 * (never polled, no budget record yet, or not implemented): the API shows null, never a guess.
 */
export interface SyncStatus {
  /** The incremental poll cursor: every change updated before it has been queued. */
  readonly cursor: Date | null;
  /** How far behind Jira this connection's sync is, in ms (now minus the cursor, or the poll lag). */
  readonly lagMs: number | null;
  /** Jira points this connection spent in the current budget window. */
  readonly budgetPointsUsed: number | null;
  /** Share (0 to 1) of recent changes a webhook delivered before polling found them. */
  readonly webhookCoverage: number | null;
  /** The reconcile poll interval the budget currently allows this connection, in seconds. */
  readonly reconcileIntervalSeconds: number | null;
}

/** An accepted request; `jobId` names the queued job when the sync side used one. */
export interface SyncRequest {
  readonly jobId: string | null;
}

export interface SyncControl {
  /** null when the sync side knows nothing of this connection yet. */
  status(connectionId: string): Promise<SyncStatus | null>;
  /** Poll now, without waiting for the schedule. */
  resync(connectionId: string): Promise<SyncRequest>;
  /** Backfill every issue updated since `from` (null: from the beginning). */
  backfill(connectionId: string, from: Date | null): Promise<SyncRequest>;
  /** Move the poll cursor back to `to`, so changes since then are read again. */
  rewindCursor(connectionId: string, to: Date): Promise<SyncRequest>;
}

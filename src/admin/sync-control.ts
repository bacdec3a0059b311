import type { ReplayRequest } from '../state/replay-checkpoints.ts';
import type { SyncProgress, SyncStatus } from '../sync/sync-control.ts';

/** An accepted request; `jobId` names the queued job when the sync side used one. */
export interface SyncRequest {
  readonly jobId: string | null;
}

/** What the admin API needs from background sync: per-connection state, and the operator's levers. */
export interface SyncControl {
  /** null when the sync side knows nothing of this connection yet. */
  status(connectionId: string): Promise<SyncStatus | null>;
  /** Poll now, without waiting for the schedule. */
  resync(connectionId: string): Promise<SyncRequest>;
  /** Backfill every issue updated since `from` (null: from the beginning). */
  backfill(connectionId: string, from: Date | null): Promise<SyncRequest>;
  /** Move the poll cursor back to `to`, so changes since then are read again. */
  rewindCursor(connectionId: string, to: Date): Promise<SyncRequest>;
  /** Re-emit, under their original ce_ids, the issues and comments changed in the window. */
  replay(connectionId: string, request: ReplayRequest): Promise<SyncRequest>;
  /** Stop a running replay at its next page; false when none runs. */
  cancelReplay(connectionId: string): Promise<boolean>;
  /** Backfill, reconcile and replay progress; null when there is no such connection. */
  progress(connectionId: string): Promise<SyncProgress | null>;
}

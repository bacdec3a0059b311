import type { RedisJiraBudget } from '../atlassian/budget/redis-jira-budget.ts';
import type { ConnectionStore } from '../connections/connection-store.ts';
import type { RedisWebhookCoverage } from '../state/coverage.ts';
import type { RedisSyncCursors } from '../state/cursors.ts';
import type { RedisReplayCheckpoints, ReplayRequest } from '../state/replay-checkpoints.ts';
import { type ProgressKind, progressKinds, type RedisSyncProgress } from '../state/sync-progress.ts';
import { type ProgressFigures, progressFigures } from './progress-figures.ts';
import type { SyncScheduler } from './sync-scheduler.ts';

/**
 * A connection's sync as operators see it (the admin API). Every field is null where sync has
 * nothing to say (never polled, no budget record yet): the API shows null, never a guess.
 */
export interface SyncStatus {
  /** The incremental poll cursor: every change updated before it has been queued. */
  readonly cursor: Date | null;
  /** How far behind Jira this connection's sync is, in ms: now minus the start of the last completed poll. */
  readonly lagMs: number | null;
  /** Jira points this connection spent in the current budget window. */
  readonly budgetPointsUsed: number | null;
  /**
   * Share (0 to 1) of recent changes a webhook delivered (before or after polling found them); the
   * rest only polling found. Same figure as the `jira_relay_webhook_coverage` gauge.
   */
  readonly webhookCoverage: number | null;
  /** The reconcile poll interval the budget currently allows this connection, in seconds. */
  readonly reconcileIntervalSeconds: number | null;
  /** The last (or current) backfill, reconcile and replay: null where none ran yet. */
  readonly progress: SyncProgress;
}

export type SyncProgress = Readonly<Record<ProgressKind, ProgressFigures | null>>;

/**
 * The operator's levers on sync and what it reports, for the admin API: status from the cursors,
 * the budget, the coverage and the progress records; resync, backfill, rewind and replay become
 * jobs on `jira-sync`.
 */
export class RedisSyncControl {
  readonly #connections: Pick<ConnectionStore, 'get'>;
  readonly #cursors: RedisSyncCursors;
  readonly #replays: RedisReplayCheckpoints;
  readonly #progress: RedisSyncProgress;
  readonly #coverage: Pick<RedisWebhookCoverage, 'share'>;
  readonly #budget: Pick<RedisJiraBudget, 'snapshot'>;
  readonly #scheduler: SyncScheduler;
  readonly #now: () => number;

  constructor(deps: {
    connections: Pick<ConnectionStore, 'get'>;
    cursors: RedisSyncCursors;
    replays: RedisReplayCheckpoints;
    progress: RedisSyncProgress;
    coverage: Pick<RedisWebhookCoverage, 'share'>;
    budget: Pick<RedisJiraBudget, 'snapshot'>;
    scheduler: SyncScheduler;
    now?: () => number;
  }) {
    this.#connections = deps.connections;
    this.#cursors = deps.cursors;
    this.#replays = deps.replays;
    this.#progress = deps.progress;
    this.#coverage = deps.coverage;
    this.#budget = deps.budget;
    this.#scheduler = deps.scheduler;
    this.#now = deps.now ?? Date.now;
  }

  async status(connectionId: string): Promise<SyncStatus | null> {
    const connection = await this.#connections.get(connectionId);
    if (!connection) return null;
    const site = connection.siteHost;
    const [poll, share, budget, progress] = await Promise.all([
      this.#cursors.poll(connectionId),
      this.#coverage.share(site),
      this.#budget.snapshot(site),
      this.#readProgress(connectionId),
    ]);
    return {
      cursor: poll.cursor === null ? null : new Date(poll.cursor),
      lagMs: poll.polledAt === null ? null : Math.max(0, this.#now() - poll.polledAt),
      budgetPointsUsed: budget.spentBySite[site] ?? 0,
      webhookCoverage: share.webhookCoverage,
      reconcileIntervalSeconds: poll.intervalMs === null ? null : Math.round(poll.intervalMs / 1000),
      progress,
    };
  }

  /** Progress of the connection's passes; null when there is no such connection. */
  async progress(connectionId: string): Promise<SyncProgress | null> {
    if (!(await this.#connections.get(connectionId))) return null;
    return this.#readProgress(connectionId);
  }

  /** A replay of the window (supersedes one running); the sync worker pages through it. */
  async replay(connectionId: string, request: ReplayRequest): Promise<{ jobId: string | null }> {
    await this.#replays.start(connectionId, request, this.#now());
    return { jobId: await this.#scheduler.queueReplay(connectionId) };
  }

  /** Stops a running replay at its next page; false when none is running. */
  cancelReplay(connectionId: string): Promise<boolean> {
    return this.#replays.cancel(connectionId);
  }

  async resync(connectionId: string): Promise<{ jobId: string | null }> {
    return { jobId: await this.#scheduler.queuePoll(connectionId) };
  }

  /** A new backfill from `from` (null: the beginning); one already running is superseded. */
  async backfill(connectionId: string, from: Date | null): Promise<{ jobId: string | null }> {
    await this.#cursors.startBackfill(connectionId, from?.getTime() ?? null, this.#now());
    return { jobId: await this.#scheduler.queueBackfill(connectionId) };
  }

  async rewindCursor(connectionId: string, to: Date): Promise<{ jobId: string | null }> {
    await this.#cursors.rewind(connectionId, to.getTime());
    return { jobId: await this.#scheduler.queuePoll(connectionId) };
  }

  /** Stops a backfill at its next slice, keeping the checkpoint; false when none is running. */
  pauseBackfill(connectionId: string): Promise<boolean> {
    return this.#cursors.setBackfillStatus(connectionId, 'paused');
  }

  async resumeBackfill(connectionId: string): Promise<boolean> {
    if (!(await this.#cursors.setBackfillStatus(connectionId, 'running'))) return false;
    await this.#scheduler.queueBackfill(connectionId);
    return true;
  }

  async #readProgress(connectionId: string): Promise<SyncProgress> {
    const records = await Promise.all(progressKinds.map((kind) => this.#progress.read(connectionId, kind)));
    const [backfill, reconcile, replay] = records.map((r) => (r ? progressFigures(r) : null));
    return { backfill: backfill ?? null, reconcile: reconcile ?? null, replay: replay ?? null };
  }
}

import type { ConnectionStore } from '../connections/connection-store.ts';
import type { Logger } from '../logger.ts';
import { mapLimit } from '../pipeline/map-limit.ts';
import type { RedisWebhookCoverage } from '../state/coverage.ts';
import type { RedisSyncCursors } from '../state/cursors.ts';
import type { RedisSiteHistory } from '../state/site-history.ts';
import type { RedisPollBudget } from './poll-budget.ts';
import { type CadenceOptions, type PollDemand, planPollIntervals } from './poll-cadence.ts';
import type { SyncScheduler } from './sync-scheduler.ts';

/** Connections whose Redis reads and writes a planning round has in flight at once. */
const inFlight = 64;

export interface SyncPlannerOptions extends CadenceOptions {
  /** SYNC_QUIET_SHARE: above this share of poll-only changes a site's webhooks count as quiet. */
  readonly quietShare: number;
}

export interface PlanOutcome {
  readonly connections: number;
  readonly quiet: number;
  readonly rescheduled: number;
  readonly backfillsResumed: number;
  /** Points per window the app pool's polls were planned for (poll-budget.ts); null with per-site pools. */
  readonly pollPoints: number | null;
}

/**
 * Re-plans every active connection's poll interval from the budget and its webhook health, records
 * it (operators see it), and re-upserts a poll scheduler only when its interval moved by more than
 * a fifth. It also makes sure every active connection is scheduled and that a running backfill has
 * a job (after a pause is lifted, or a job was lost), so the schedule heals itself. The poll lag and
 * webhook coverage it reads go into each connection's short history (the connections page's lines).
 */
export class SyncPlanner {
  readonly #connections: Pick<ConnectionStore, 'list'>;
  readonly #cursors: RedisSyncCursors;
  readonly #coverage: Pick<RedisWebhookCoverage, 'share'>;
  readonly #scheduler: SyncScheduler;
  readonly #history: Pick<RedisSiteHistory, 'record'>;
  readonly #pollBudget: Pick<RedisPollBudget, 'pointsAt'> | undefined;
  readonly #o: SyncPlannerOptions;
  readonly #log: Logger;
  readonly #now: () => number;

  constructor(deps: {
    connections: Pick<ConnectionStore, 'list'>;
    cursors: RedisSyncCursors;
    coverage: Pick<RedisWebhookCoverage, 'share'>;
    scheduler: SyncScheduler;
    history: Pick<RedisSiteHistory, 'record'>;
    /** The app pool's poll points per window; without it polls get JIRA_RECONCILE_BUDGET_SHARE. */
    pollBudget?: Pick<RedisPollBudget, 'pointsAt'>;
    options: SyncPlannerOptions;
    log: Logger;
    now?: () => number;
  }) {
    this.#connections = deps.connections;
    this.#cursors = deps.cursors;
    this.#coverage = deps.coverage;
    this.#scheduler = deps.scheduler;
    this.#history = deps.history;
    this.#pollBudget = deps.pollBudget;
    this.#o = deps.options;
    this.#log = deps.log;
    this.#now = deps.now ?? Date.now;
  }

  async plan(): Promise<PlanOutcome> {
    const all = await this.#connections.list();
    const gone = all.filter((c) => c.status === 'disconnected');
    await mapLimit(gone, inFlight, (c) => this.#scheduler.forget(c.id));
    const active = all.filter((c) => c.status === 'active');
    const current = new Map<string, number | null>();
    // Many connections at once: their reads go out together instead of one round trip after another.
    const demands = await mapLimit(active, inFlight, async (connection): Promise<PollDemand> => {
      const [poll, share] = await Promise.all([
        this.#cursors.poll(connection.id),
        this.#coverage.share(connection.siteHost),
      ]);
      current.set(connection.id, poll.intervalMs);
      const at = this.#now();
      const lagSeconds = poll.polledAt === null ? null : Math.max(0, Math.round((at - poll.polledAt) / 1000));
      await this.#history.record(connection.id, { at, lagSeconds, webhookCoverage: share.webhookCoverage });
      return {
        connectionId: connection.id,
        pointsPerPoll: poll.pointsPerPoll ?? 1,
        quiet: (share.pollOnlyShare ?? 0) > this.#o.quietShare,
      };
    });
    const pollPoints = await this.#pollPoints(demands, current);
    const cadence = pollPoints === null ? this.#o : { ...this.#o, pollPoints };
    const moved = [...planPollIntervals(demands, cadence)].filter(([id, interval]) => {
      const before = current.get(id) ?? null;
      return before === null || Math.abs(interval - before) > before * 0.2;
    });
    await mapLimit(moved, inFlight, async ([id, interval]) => {
      await this.#scheduler.schedulePoll(id, interval, { spread: true });
      await this.#scheduler.scheduleReconcile(id);
      await this.#cursors.setInterval(id, interval);
    });
    const backfillsResumed = await this.#resumeBackfills(active.map((c) => c.id));
    const outcome = {
      connections: active.length,
      quiet: demands.filter((d) => d.quiet).length,
      rescheduled: moved.length,
      backfillsResumed,
      pollPoints,
    };
    this.#log.info(outcome, 'sync planned');
    return outcome;
  }

  /** What the app pool's polls may spend per window; what they cost at the intervals in force goes in. */
  async #pollPoints(demands: readonly PollDemand[], current: ReadonlyMap<string, number | null>) {
    if (this.#o.pool !== 'app' || !this.#pollBudget) return null;
    const pollsNow = demands.reduce((sum, d) => {
      const interval = current.get(d.connectionId);
      return interval ? sum + (Math.max(1, d.pointsPerPoll) * this.#o.windowMs) / interval : sum;
    }, 0);
    return this.#pollBudget.pointsAt(this.#now(), pollsNow);
  }

  async #resumeBackfills(connectionIds: readonly string[]): Promise<number> {
    const resumed = await mapLimit(connectionIds, inFlight, async (id) => {
      if ((await this.#cursors.backfill(id))?.status !== 'running') return false;
      await this.#scheduler.queueBackfill(id);
      return true;
    });
    return resumed.filter(Boolean).length;
  }
}

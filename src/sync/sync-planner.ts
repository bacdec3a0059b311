import type { ConnectionStore } from '../connections/connection-store.ts';
import type { Logger } from '../logger.ts';
import type { RedisWebhookCoverage } from '../state/coverage.ts';
import type { RedisSyncCursors } from '../state/cursors.ts';
import type { RedisSiteHistory } from '../state/site-history.ts';
import { type CadenceOptions, type PollDemand, planPollIntervals } from './poll-cadence.ts';
import type { SyncScheduler } from './sync-scheduler.ts';

export interface SyncPlannerOptions extends CadenceOptions {
  /** SYNC_QUIET_SHARE: above this share of poll-only changes a site's webhooks count as quiet. */
  readonly quietShare: number;
}

export interface PlanOutcome {
  readonly connections: number;
  readonly quiet: number;
  readonly rescheduled: number;
  readonly backfillsResumed: number;
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
  readonly #o: SyncPlannerOptions;
  readonly #log: Logger;
  readonly #now: () => number;

  constructor(deps: {
    connections: Pick<ConnectionStore, 'list'>;
    cursors: RedisSyncCursors;
    coverage: Pick<RedisWebhookCoverage, 'share'>;
    scheduler: SyncScheduler;
    history: Pick<RedisSiteHistory, 'record'>;
    options: SyncPlannerOptions;
    log: Logger;
    now?: () => number;
  }) {
    this.#connections = deps.connections;
    this.#cursors = deps.cursors;
    this.#coverage = deps.coverage;
    this.#scheduler = deps.scheduler;
    this.#history = deps.history;
    this.#o = deps.options;
    this.#log = deps.log;
    this.#now = deps.now ?? Date.now;
  }

  async plan(): Promise<PlanOutcome> {
    const all = await this.#connections.list();
    for (const gone of all.filter((c) => c.status === 'disconnected')) await this.#scheduler.forget(gone.id);
    const active = all.filter((c) => c.status === 'active');
    const demands: PollDemand[] = [];
    const current = new Map<string, number | null>();
    for (const connection of active) {
      const [poll, share] = await Promise.all([
        this.#cursors.poll(connection.id),
        this.#coverage.share(connection.siteHost),
      ]);
      current.set(connection.id, poll.intervalMs);
      const at = this.#now();
      const lagSeconds = poll.polledAt === null ? null : Math.max(0, Math.round((at - poll.polledAt) / 1000));
      await this.#history.record(connection.id, { at, lagSeconds, webhookCoverage: share.webhookCoverage });
      demands.push({
        connectionId: connection.id,
        pointsPerPoll: poll.pointsPerPoll ?? 1,
        quiet: (share.pollOnlyShare ?? 0) > this.#o.quietShare,
      });
    }
    let rescheduled = 0;
    for (const [id, interval] of planPollIntervals(demands, this.#o)) {
      const before = current.get(id) ?? null;
      if (before !== null && Math.abs(interval - before) <= before * 0.2) continue;
      await this.#scheduler.schedulePoll(id, interval);
      await this.#scheduler.scheduleReconcile(id);
      await this.#cursors.setInterval(id, interval);
      rescheduled++;
    }
    const backfillsResumed = await this.#resumeBackfills(active.map((c) => c.id));
    const outcome = {
      connections: active.length,
      quiet: demands.filter((d) => d.quiet).length,
      rescheduled,
      backfillsResumed,
    };
    this.#log.info(outcome, 'sync planned');
    return outcome;
  }

  async #resumeBackfills(connectionIds: readonly string[]): Promise<number> {
    let resumed = 0;
    for (const id of connectionIds) {
      if ((await this.#cursors.backfill(id))?.status !== 'running') continue;
      await this.#scheduler.queueBackfill(id);
      resumed++;
    }
    return resumed;
  }
}

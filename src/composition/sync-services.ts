import type { Queue } from 'bullmq';
import type { Config } from '../../config/index.ts';
import type { JiraChange } from '../../connectors/jira-change.ts';
import type { RedisJiraBudget } from '../atlassian/budget/redis-jira-budget.ts';
import type { PageSizes } from '../atlassian/jira/jira-reads.ts';
import type { ConnectionStore } from '../connections/connection-store.ts';
import type { Logger } from '../logger.ts';
import { InlineChangeProcessor } from '../pipeline/inline-changes.ts';
import type { ChangeQueue } from '../queues/change-queue.ts';
import { RedisWebhookCoverage } from '../state/coverage.ts';
import { RedisSyncCursors } from '../state/cursors.ts';
import type { RedisEntityState } from '../state/entity-state.ts';
import { RedisKnownEntities } from '../state/known-entities.ts';
import type { RedisClient } from '../state/redis-client.ts';
import { RedisReplayCheckpoints } from '../state/replay-checkpoints.ts';
import { RedisSiteHistory } from '../state/site-history.ts';
import { RedisSyncProgress } from '../state/sync-progress.ts';
import { RedisPollBudget } from '../sync/poll-budget.ts';
import { RedisSiteLease } from '../sync/site-lease.ts';
import { RedisSyncControl } from '../sync/sync-control.ts';
import type { SyncPassDeps } from '../sync/sync-deps.ts';
import { readSyncMetrics } from '../sync/sync-metrics.ts';
import { SyncPlanner } from '../sync/sync-planner.ts';
import { SyncScheduler } from '../sync/sync-scheduler.ts';

type SyncConfig = Pick<
  Config,
  | 'QUEUE_PREFIX'
  | 'JIRA_POINTS_PER_HOUR'
  | 'JIRA_RATE_POOL'
  | 'JIRA_BUDGET_WINDOW_SECONDS'
  | 'JIRA_RECONCILE_BUDGET_SHARE'
  | 'JIRA_BUDGET_WEBHOOK_RESERVE_SHARE'
  | 'JIRA_SEARCH_PAGE_SIZE'
  | 'JIRA_SEARCH_MAX_PAGES'
  | 'JIRA_BULK_FETCH_SIZE'
  | 'JIRA_COMMENT_PAGE_SIZE'
  | 'SYNC_POLL_OVERLAP_MS'
  | 'SYNC_POLL_MIN_INTERVAL_SECONDS'
  | 'SYNC_POLL_MAX_INTERVAL_SECONDS'
  | 'SYNC_RECONCILE_INTERVAL_SECONDS'
  | 'SYNC_BACKFILL_START'
  | 'SYNC_SITE_LEASE_MS'
  | 'SYNC_BACKFILL_SLICE_PAGES'
  | 'SYNC_RECONCILE_PAGE_SIZE'
  | 'SYNC_COMMENT_FETCH_CONCURRENCY'
  | 'SYNC_INLINE_CHANGES'
  | 'SYNC_PROJECTS_CACHE_SECONDS'
  | 'SYNC_PLAN_INTERVAL_SECONDS'
  | 'SYNC_QUIET_POLL_WEIGHT'
  | 'SYNC_QUIET_SHARE'
  | 'SYNC_COVERAGE_TTL_SECONDS'
  | 'SYNC_COVERAGE_BUCKET_SECONDS'
  | 'TEXT_MARKDOWN'
>;

export interface SyncServicesDeps {
  readonly redis: RedisClient;
  readonly syncQueue: Queue;
  readonly connections: ConnectionStore;
  /** The process's Jira budget (composition/jira-services.ts): sync spends from the same pool. */
  readonly budget: RedisJiraBudget;
  readonly log: Logger;
  readonly now?: () => number;
}

/**
 * Everything background sync is made of, built once per process from configuration: the sync
 * state stores, the scheduler, the planner, the operator's control, and what each pass needs.
 */
export function createSyncServices(config: SyncConfig, deps: SyncServicesDeps) {
  const { redis, budget } = deps;
  const now = deps.now ?? Date.now;
  const prefix = config.QUEUE_PREFIX;
  const cursors = new RedisSyncCursors(redis, prefix);
  const known = new RedisKnownEntities(redis, prefix);
  const replays = new RedisReplayCheckpoints(redis, prefix);
  const progress = new RedisSyncProgress(redis, prefix);
  const coverage = new RedisWebhookCoverage(redis, {
    prefix,
    ttlSeconds: config.SYNC_COVERAGE_TTL_SECONDS,
    bucketSeconds: config.SYNC_COVERAGE_BUCKET_SECONDS,
    now,
  });
  const scheduler = new SyncScheduler(deps.syncQueue, cursors, {
    reconcileEveryMs: config.SYNC_RECONCILE_INTERVAL_SECONDS * 1000,
    firstPollEveryMs: config.SYNC_POLL_MIN_INTERVAL_SECONDS * 1000,
    planEveryMs: config.SYNC_PLAN_INTERVAL_SECONDS * 1000,
    backfillFrom: config.SYNC_BACKFILL_START ? Date.parse(`${config.SYNC_BACKFILL_START}T00:00:00Z`) : null,
    now,
  });
  // The last 60 planner rounds of each connection's lag and coverage, for the connections page.
  const history = new RedisSiteHistory(redis, { prefix, maxSamples: 60, ttlSeconds: 7 * 86_400 });
  const planner = createPlanner(config, { ...deps, cursors, coverage, scheduler, history });
  const sizes: PageSizes = {
    bulkFetch: config.JIRA_BULK_FETCH_SIZE,
    commentPage: config.JIRA_COMMENT_PAGE_SIZE,
    maxPages: config.JIRA_SEARCH_MAX_PAGES,
  };
  return {
    /** The Jira budget sync spends from (given): passes, levers and workers read it here. */
    budget,
    cursors,
    known,
    coverage,
    scheduler,
    planner,
    history,
    leases: new RedisSiteLease(redis, prefix, config.SYNC_SITE_LEASE_MS),
    control: new RedisSyncControl({
      connections: deps.connections,
      cursors,
      replays,
      progress,
      coverage,
      budget,
      scheduler,
      now,
    }),
    /** The sync metric families' values (budget, points per site, coverage, poll lag and interval). */
    metricsSnapshot: () =>
      readSyncMetrics({
        budget,
        pool: config.JIRA_RATE_POOL,
        connections: deps.connections,
        cursors,
        coverage,
        now,
      }),
    /** What the sync passes need, given the change queue and the fields the connectors read. */
    passDeps: (pass: PassInputs): SyncPassDeps =>
      syncPassDeps(config, { ...deps, cursors, replays, progress, known, coverage, sizes }, pass),
  };
}

export type SyncServices = ReturnType<typeof createSyncServices>;

type PlannerDeps = SyncServicesDeps & {
  readonly cursors: RedisSyncCursors;
  readonly coverage: RedisWebhookCoverage;
  readonly scheduler: SyncScheduler;
  readonly history: RedisSiteHistory;
};

/** The planner spreads the reconcile share of the points budget over the sites (issue 7). */
function createPlanner(config: SyncConfig, deps: PlannerDeps): SyncPlanner {
  return new SyncPlanner({
    connections: deps.connections,
    cursors: deps.cursors,
    coverage: deps.coverage,
    scheduler: deps.scheduler,
    history: deps.history,
    pollBudget: new RedisPollBudget({
      redis: deps.redis,
      prefix: config.QUEUE_PREFIX,
      budget: deps.budget,
      options: {
        pointsPerWindow: config.JIRA_POINTS_PER_HOUR,
        windowMs: config.JIRA_BUDGET_WINDOW_SECONDS * 1000,
        share: config.JIRA_RECONCILE_BUDGET_SHARE,
        webhookReserveShare: config.JIRA_BUDGET_WEBHOOK_RESERVE_SHARE,
      },
    }),
    options: {
      pointsPerWindow: config.JIRA_POINTS_PER_HOUR,
      windowMs: config.JIRA_BUDGET_WINDOW_SECONDS * 1000,
      share: config.JIRA_RECONCILE_BUDGET_SHARE,
      quietWeight: config.SYNC_QUIET_POLL_WEIGHT,
      quietShare: config.SYNC_QUIET_SHARE,
      minMs: config.SYNC_POLL_MIN_INTERVAL_SECONDS * 1000,
      maxMs: config.SYNC_POLL_MAX_INTERVAL_SECONDS * 1000,
      pool: config.JIRA_RATE_POOL,
    },
    log: deps.log.child({ component: 'sync-planner' }),
    ...(deps.now ? { now: deps.now } : {}),
  });
}

interface PassInputs {
  readonly queue: ChangeQueue;
  /** The change handler; with SYNC_INLINE_CHANGES > 0 sync jobs take changes through it themselves. */
  readonly handle?: (change: JiraChange) => Promise<unknown>;
  readonly entities: Pick<RedisEntityState, 'issueSnapshot'>;
  readonly fieldsFor: (siteHost: string) => Promise<readonly string[]>;
}

type PassStores = SyncServicesDeps & {
  readonly cursors: RedisSyncCursors;
  readonly replays: RedisReplayCheckpoints;
  readonly progress: RedisSyncProgress;
  readonly known: RedisKnownEntities;
  readonly coverage: RedisWebhookCoverage;
  readonly sizes: PageSizes;
};

/** What the poll, the backfill, the reconcile and the replay need, from configuration and the stores. */
function syncPassDeps(config: SyncConfig, stores: PassStores, pass: PassInputs): SyncPassDeps {
  const { redis, budget, sizes } = stores;
  const inline = pass.handle && config.SYNC_INLINE_CHANGES > 0;
  return {
    changes:
      inline && pass.handle
        ? new InlineChangeProcessor(pass.handle, config.SYNC_INLINE_CHANGES)
        : { submit: (changes) => pass.queue.enqueue(changes) },
    entities: pass.entities,
    fieldsFor: pass.fieldsFor,
    known: stores.known,
    coverage: stores.coverage,
    budget,
    cursors: stores.cursors,
    replays: stores.replays,
    progress: stores.progress,
    sizes,
    commentConcurrency: config.SYNC_COMMENT_FETCH_CONCURRENCY,
    scope: {
      redis,
      prefix: config.QUEUE_PREFIX,
      sizes,
      budget,
      cacheSeconds: config.SYNC_PROJECTS_CACHE_SECONDS,
    },
    searchPageSize: config.JIRA_SEARCH_PAGE_SIZE,
    overlapMs: config.SYNC_POLL_OVERLAP_MS,
    slicePages: config.SYNC_BACKFILL_SLICE_PAGES,
    reconcilePageSize: config.SYNC_RECONCILE_PAGE_SIZE,
    reconcileEveryMs: config.SYNC_RECONCILE_INTERVAL_SECONDS * 1000,
    markdown: config.TEXT_MARKDOWN,
    now: stores.now ?? Date.now,
    log: stores.log.child({ component: 'sync' }),
  };
}

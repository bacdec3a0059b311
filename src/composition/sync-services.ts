import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../../config/index.ts';
import type { JiraChange } from '../../connectors/jira-change.ts';
import { type BudgetPriority, RedisJiraBudget } from '../atlassian/budget.ts';
import { JiraClient, type JiraClientOptions } from '../atlassian/jira-client.ts';
import type { PageSizes } from '../atlassian/jira-reads.ts';
import type { RequestBudget } from '../atlassian/request-budget.ts';
import type { Connection } from '../connections/connection.ts';
import type { ConnectionStore } from '../connections/connection-store.ts';
import type { Logger } from '../logger.ts';
import type { ChangeQueue } from '../queues/change-queue.ts';
import { RedisWebhookCoverage } from '../state/coverage.ts';
import { RedisSyncCursors } from '../state/cursors.ts';
import type { RedisEntityState } from '../state/entity-state.ts';
import { RedisKnownEntities } from '../state/known-entities.ts';
import { InlineChangeQueue } from './inline-change-queue.ts';
import { RedisSiteLease } from './site-lease.ts';
import { RedisSyncControl } from './sync-control.ts';
import type { SyncPassDeps } from './sync-deps.ts';
import { readSyncMetrics } from './sync-metrics.ts';
import { SyncPlanner } from './sync-planner.ts';
import { SyncScheduler } from './sync-scheduler.ts';
import { recordWebhookSightings } from './webhook-sightings.ts';

type SyncConfig = Pick<
  Config,
  | 'QUEUE_PREFIX'
  | 'JIRA_POINTS_PER_HOUR'
  | 'JIRA_RATE_POOL'
  | 'JIRA_BUDGET_WINDOW_SECONDS'
  | 'JIRA_SITE_MAX_RPS'
  | 'JIRA_RECONCILE_BUDGET_SHARE'
  | 'JIRA_BUDGET_WEBHOOK_RESERVE_SHARE'
  | 'JIRA_BUDGET_POLL_RESERVE_SHARE'
  | 'JIRA_BUDGET_ACTIVE_TTL_MS'
  | 'JIRA_BUDGET_SHARE_RETRY_MS'
  | 'JIRA_BUDGET_MAX_WAIT_MS'
  | 'JIRA_ISSUE_WRITE_SPACING_MS'
  | 'JIRA_SEARCH_PAGE_SIZE'
  | 'JIRA_SEARCH_MAX_PAGES'
  | 'JIRA_BULK_FETCH_SIZE'
  | 'JIRA_COMMENT_PAGE_SIZE'
  | 'JIRA_CHANGELOG_PAGE_SIZE'
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

/**
 * Everything background sync is made of, built once per process from configuration: the Jira
 * budget (every Jira client of the process should go through it), the sync state stores, the
 * scheduler, the planner, the operator's control, and the webhook path's coverage records.
 */
export function createSyncServices(
  config: SyncConfig,
  deps: {
    redis: Redis;
    syncQueue: Queue;
    connections: ConnectionStore;
    log: Logger;
    now?: () => number;
  },
) {
  const { redis, log } = deps;
  const now = deps.now ?? Date.now;
  const prefix = config.QUEUE_PREFIX;
  const windowMs = config.JIRA_BUDGET_WINDOW_SECONDS * 1000;
  const budget = new RedisJiraBudget(redis, {
    prefix,
    pointsPerWindow: config.JIRA_POINTS_PER_HOUR,
    windowMs,
    pool: config.JIRA_RATE_POOL,
    siteMaxRps: config.JIRA_SITE_MAX_RPS,
    webhookReserveShare: config.JIRA_BUDGET_WEBHOOK_RESERVE_SHARE,
    pollReserveShare: config.JIRA_BUDGET_POLL_RESERVE_SHARE,
    activeTtlMs: config.JIRA_BUDGET_ACTIVE_TTL_MS,
    shareRetryMs: config.JIRA_BUDGET_SHARE_RETRY_MS,
    maxWaitMs: config.JIRA_BUDGET_MAX_WAIT_MS,
    issueWriteSpacingMs: config.JIRA_ISSUE_WRITE_SPACING_MS,
    log: log.child({ component: 'jira-budget' }),
    now,
  });
  const cursors = new RedisSyncCursors(redis, prefix);
  const known = new RedisKnownEntities(redis, prefix);
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
  const planner = new SyncPlanner({
    connections: deps.connections,
    cursors,
    coverage,
    scheduler,
    options: {
      pointsPerWindow: config.JIRA_POINTS_PER_HOUR,
      windowMs,
      share: config.JIRA_RECONCILE_BUDGET_SHARE,
      quietWeight: config.SYNC_QUIET_POLL_WEIGHT,
      quietShare: config.SYNC_QUIET_SHARE,
      minMs: config.SYNC_POLL_MIN_INTERVAL_SECONDS * 1000,
      maxMs: config.SYNC_POLL_MAX_INTERVAL_SECONDS * 1000,
      pool: config.JIRA_RATE_POOL,
    },
    log: log.child({ component: 'sync-planner' }),
  });
  const sizes: PageSizes = {
    bulkFetch: config.JIRA_BULK_FETCH_SIZE,
    commentPage: config.JIRA_COMMENT_PAGE_SIZE,
    changelogPage: config.JIRA_CHANGELOG_PAGE_SIZE,
    maxPages: config.JIRA_SEARCH_MAX_PAGES,
  };
  return {
    budget,
    cursors,
    known,
    coverage,
    scheduler,
    planner,
    leases: new RedisSiteLease(redis, prefix, config.SYNC_SITE_LEASE_MS),
    control: new RedisSyncControl({
      connections: deps.connections,
      cursors,
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
    /** A Jira client whose calls the budget charges at this priority; `wrap` may instrument the port. */
    clientFactory(
      options: Omit<JiraClientOptions, 'budget'>,
      wrap: (budget: RequestBudget) => RequestBudget = (b) => b,
    ): (connection: Connection, priority?: BudgetPriority) => JiraClient {
      return (connection, priority = 'webhook') =>
        new JiraClient(connection, { ...options, budget: wrap(budget.forPriority(priority)) });
    },
    /** The webhook path's change handler, recording which path saw each change first. */
    withWebhookSightings<T>(handle: (change: JiraChange) => Promise<T>): (change: JiraChange) => Promise<T> {
      return recordWebhookSightings(handle, { coverage, known, log });
    },
    /** What the sync passes need, given the change queue and the fields the connectors read. */
    passDeps(pass: {
      queue: ChangeQueue;
      /** The change handler; with SYNC_INLINE_CHANGES > 0 sync jobs take changes through it themselves. */
      handle?: (change: JiraChange) => Promise<unknown>;
      entities: Pick<RedisEntityState, 'issueSnapshot'>;
      fieldsFor: (siteHost: string) => Promise<readonly string[]>;
    }): SyncPassDeps {
      const inline = pass.handle && config.SYNC_INLINE_CHANGES > 0;
      return {
        queue:
          inline && pass.handle ? new InlineChangeQueue(pass.handle, config.SYNC_INLINE_CHANGES) : pass.queue,
        entities: pass.entities,
        fieldsFor: pass.fieldsFor,
        known,
        coverage,
        budget,
        cursors,
        sizes,
        commentConcurrency: config.SYNC_COMMENT_FETCH_CONCURRENCY,
        scope: { redis, prefix, sizes, budget, cacheSeconds: config.SYNC_PROJECTS_CACHE_SECONDS },
        searchPageSize: config.JIRA_SEARCH_PAGE_SIZE,
        overlapMs: config.SYNC_POLL_OVERLAP_MS,
        slicePages: config.SYNC_BACKFILL_SLICE_PAGES,
        reconcilePageSize: config.SYNC_RECONCILE_PAGE_SIZE,
        reconcileEveryMs: config.SYNC_RECONCILE_INTERVAL_SECONDS * 1000,
        markdown: config.TEXT_MARKDOWN,
        now,
        log: log.child({ component: 'sync' }),
      };
    },
  };
}

export type SyncServices = ReturnType<typeof createSyncServices>;

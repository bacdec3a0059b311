import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config } from '../../config/index.ts';
import { RedisAuthThrottle } from '../admin/auth-throttle.ts';
import type { SyncControl } from '../admin/sync-control.ts';
import { jiraClientOptions } from '../atlassian/jira-client.ts';
import { createWebhookAuthenticator } from '../atlassian/webhook-auth.ts';
import type { Connection } from '../connections/connection.ts';
import type { Logger } from '../logger.ts';
import { instrumentBudget } from '../metrics/instrumented-budget.ts';
import { observeQueueDepth } from '../metrics/queue-metrics.ts';
import { createMetrics, type Metrics } from '../metrics/registry.ts';
import { BullChangeQueue, type ChangeJob } from '../queues/change-queue.ts';
import { BatchingDeliveryQueue, type DeliveryBatch } from '../queues/delivery-queue.ts';
import { defaultJobOptions } from '../queues/job-options.ts';
import { queueNames } from '../queues/queue-names.ts';
import { RawJsonQueue } from '../queues/raw-json-queue.ts';
import type { AdminRouteDeps } from '../routes/admin.ts';
import type { WebhookRouteDeps } from '../routes/webhooks.ts';
import { RedisEntityState } from '../state/entity-state.ts';
import { RedisPublishedVersions } from '../state/published-versions.ts';
import { RedisSeenDeliveries } from '../state/seen-deliveries.ts';
import { createSyncServices, type SyncServices } from '../sync/sync-services.ts';
import { createTokenServices, type TokenServices } from '../tokens/token-services.ts';
import { CachedWebhookRouter } from '../webhooks/connection-router.ts';
import { RedisRegistrationStore } from '../webhooks/registration-store.ts';
import { WebhookRegistrar } from '../webhooks/webhook-registrar.ts';

/**
 * Everything a relay process shares, built once from configuration: Redis connections, queues,
 * stores, the token services and the Jira client factory. Roles (api, worker) take what they need;
 * `close()` releases what was opened here.
 */
export function createServices(config: Config, log: Logger, now: () => number = Date.now) {
  const prefix = config.QUEUE_PREFIX;
  // Stores fail fast when Redis is away (the api answers 503); workers reconnect on their own.
  const redis = new Redis(config.REDIS_URL, {
    maxRetriesPerRequest: 2,
    enableOfflineQueue: false,
    lazyConnect: true,
  });
  const producer = {
    connection: { url: config.REDIS_URL, enableOfflineQueue: false },
    prefix,
    defaultJobOptions: defaultJobOptions(config),
  };
  const queues = {
    events: new RawJsonQueue<DeliveryBatch>(queueNames.events, producer),
    changes: new Queue<ChangeJob>(queueNames.changes, producer),
    sync: new Queue(queueNames.sync, producer),
    maintenance: new Queue(queueNames.maintenance, producer),
  };
  for (const queue of Object.values(queues))
    queue.on('error', (err) => log.warn({ err, queue: queue.name }, 'queue connection error'));
  redis.on('error', (err) => log.warn({ err }, 'redis connection error'));

  // The sync families read Redis at scrape time, through the sync services built below.
  const metrics: Metrics = createMetrics({ syncState: () => sync.metricsSnapshot() });
  observeQueueDepth(metrics, Object.values(queues));
  const tokens: TokenServices = createTokenServices(config, {
    redis,
    log,
    keyPrefix: prefix,
    now,
    onRefreshOutcome: (kind) => metrics.tokenRefreshes.inc({ outcome: kind }),
  });
  const sync: SyncServices = createSyncServices(config, {
    redis,
    syncQueue: queues.sync,
    connections: tokens.connections,
    log,
    now,
  });
  // Every Jira call of the process goes through the shared points budget (and is counted).
  const syncClientFor = sync.clientFactory(
    { ...jiraClientOptions(config, { tokens: tokens.tokens, log: log.child({ component: 'jira' }) }), now },
    (budget) => instrumentBudget(metrics, budget),
  );
  const clientFor = (connection: Connection) => syncClientFor(connection, 'webhook');
  const registrations = new RedisRegistrationStore(redis, prefix);
  const registrar = new WebhookRegistrar({
    connections: tokens.connections,
    registrations,
    clientFor,
    callbackUrl: `${config.PUBLIC_URL}/webhooks/jira`,
    refreshBeforeMs: config.WEBHOOK_REFRESH_BEFORE_SECONDS * 1000,
    now,
  });

  return {
    redis,
    queues,
    tokens,
    clientFor,
    /** A Jira client whose calls the budget charges at a sync priority (poll, backfill, reconcile). */
    syncClientFor,
    sync,
    registrations,
    registrar,
    metrics,
    entities: new RedisEntityState(redis, prefix),
    published: new RedisPublishedVersions(redis, {
      prefix,
      claimTtlMs: config.PUBLISH_CLAIM_TTL_MS,
      markerTtlSeconds: config.PUBLISHED_VERSION_TTL_SECONDS,
    }),
    seen: new RedisSeenDeliveries(redis, prefix, config.WEBHOOK_DEDUPE_TTL_SECONDS * 1000),
    changeQueue: new BullChangeQueue(queues.changes),
    async connect(): Promise<void> {
      await redis.connect();
    },
    /** The dashboard and admin API over these queues and stores; sync levers go to `sync`. */
    adminRouteDeps(
      sync: SyncControl,
      reconcileWebhooks: (connectionId: string) => Promise<void>,
    ): AdminRouteDeps {
      return {
        adminToken: config.ADMIN_TOKEN,
        publicUrl: config.PUBLIC_URL,
        sessionSeconds: config.ADMIN_SESSION_SECONDS,
        queues: Object.values(queues),
        authThrottle: new RedisAuthThrottle({
          redis,
          keyPrefix: config.QUEUE_PREFIX,
          maxFailures: config.ADMIN_AUTH_MAX_FAILURES,
          windowSeconds: config.ADMIN_AUTH_FAILURE_WINDOW_SECONDS,
        }),
        connections: tokens.connections,
        registrations,
        webhooks: registrar,
        sync,
        reconcileWebhooks,
        now,
      };
    },
    webhookRouteDeps(): WebhookRouteDeps {
      return {
        authenticate: createWebhookAuthenticator({
          clientSecret: config.ATLASSIAN_CLIENT_SECRET,
          webhookSecret: config.JIRA_WEBHOOK_SECRET,
          clockSkewSeconds: config.WEBHOOK_JWT_CLOCK_SKEW_SECONDS,
        }),
        router: new CachedWebhookRouter({
          connections: tokens.connections,
          registrations,
          ttlMs: config.WEBHOOK_ROUTE_CACHE_MS,
        }),
        deliveries: new BatchingDeliveryQueue({
          queue: queues.events,
          keyPrefix: prefix,
          dedupeTtlMs: config.WEBHOOK_DEDUPE_TTL_SECONDS * 1000,
        }),
        metrics,
        maxBodyBytes: config.WEBHOOK_MAX_BODY_BYTES,
      };
    },
    async close(): Promise<void> {
      await Promise.allSettled(Object.values(queues).map((q) => q.close()));
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

export type Services = ReturnType<typeof createServices>;

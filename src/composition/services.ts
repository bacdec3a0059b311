import { Queue } from 'bullmq';
import type { Config } from '../../config/index.ts';
import type { Connection } from '../connections/connection.ts';
import type { Logger } from '../logger.ts';
import { instrumentBudget } from '../metrics/instrumented-budget.ts';
import { observeQueueDepth } from '../metrics/queue-metrics.ts';
import { createMetrics, type Metrics } from '../metrics/registry.ts';
import { RawJsonQueue } from '../queues/bullmq-internals/raw-json-queue.ts';
import { BullChangeQueue, type ChangeJob } from '../queues/change-queue.ts';
import type { DeliveryBatch } from '../queues/delivery-queue.ts';
import { defaultJobOptions } from '../queues/job-options.ts';
import { reconcileJob } from '../queues/maintenance-jobs.ts';
import { queueNames } from '../queues/queue-names.ts';
import { RedisDeliveryClaims } from '../state/delivery-claims.ts';
import { RedisEntityState } from '../state/entity-state.ts';
import { RedisPublishedVersions } from '../state/published-versions.ts';
import { bullPrefix, createRedisClient } from '../state/redis-client.ts';
import { RedisRegistrationStore } from '../webhooks/registration-store.ts';
import { WebhookRegistrar } from '../webhooks/webhook-registrar.ts';
import { RedisWebhookSecretStore } from '../webhooks/webhook-secret-store.ts';
import { bullConnection } from './bull-connection.ts';
import { createCommandStores } from './command-stores.ts';
import { createJiraServices } from './jira-services.ts';
import { Shutdown } from './shutdown.ts';
import { createSyncServices, type SyncServices } from './sync-services.ts';
import { createTokenServices } from './token-services.ts';

/**
 * Everything a relay process shares, built once from configuration: Redis connections, queues,
 * stores, the token services, the Jira budget and clients, and sync. Roles (api, worker) take what
 * they need; `shutdown` closes what was opened here, in reverse order, after what the roles add.
 */
export function createServices(config: Config, log: Logger, now: () => number = Date.now) {
  const shutdown = new Shutdown();
  const prefix = config.QUEUE_PREFIX;
  // Stores fail fast when Redis is away (the api answers 503); workers reconnect on their own.
  const redis = createRedisClient(config, {
    maxRetriesPerRequest: 2,
    enableOfflineQueue: false,
    lazyConnect: true,
  });
  redis.on('error', (err) => log.warn({ err }, 'redis connection error'));
  shutdown.add('redis', () => redis.quit().catch(() => redis.disconnect()));
  const queues = createQueues(config, log, shutdown);

  // The sync families read Redis at scrape time, through the sync services built below.
  const metrics: Metrics = createMetrics({ syncState: () => sync.metricsSnapshot() });
  observeQueueDepth(metrics, Object.values(queues));
  const tokens = createTokenServices(config, {
    redis,
    log,
    keyPrefix: prefix,
    now,
    onRefreshOutcome: (kind) => metrics.tokenRefreshes.inc({ outcome: kind }),
  });
  // Every Jira call of the process goes through the shared points budget (and is counted).
  const jira = createJiraServices(config, {
    redis,
    tokens: tokens.tokens,
    log,
    now,
    instrument: (budget) => instrumentBudget(metrics, budget),
  });
  const sync: SyncServices = createSyncServices(config, {
    redis,
    syncQueue: queues.sync,
    connections: tokens.connections,
    budget: jira.budget,
    log,
    now,
  });
  const registrations = new RedisRegistrationStore(redis, prefix);
  const registrar = new WebhookRegistrar({
    connections: tokens.connections,
    registrations,
    clientFor: (connection) => jira.clientFor(connection, 'webhook'),
    callbackUrl: `${config.PUBLIC_URL}/webhooks/jira`,
    refreshBeforeMs: config.WEBHOOK_REFRESH_BEFORE_SECONDS * 1000,
    now,
  });

  return {
    config,
    log,
    now,
    shutdown,
    redis,
    queues,
    tokens,
    jira,
    sync,
    registrations,
    registrar,
    webhookSecrets: new RedisWebhookSecretStore({ redis, keyPrefix: prefix, cipher: tokens.cipher, now }),
    metrics,
    entities: new RedisEntityState(redis, prefix),
    published: new RedisPublishedVersions(redis, {
      prefix,
      claimTtlMs: config.PUBLISH_CLAIM_TTL_MS,
      markerTtlSeconds: config.PUBLISHED_VERSION_TTL_SECONDS,
    }),
    // Claims live beside the queues (same prefix, so the same slot on a cluster): intake claims a
    // batch's deliveries in the transaction that stores their job.
    claims: new RedisDeliveryClaims(redis, bullPrefix(config), config.WEBHOOK_DEDUPE_TTL_SECONDS * 1000),
    commands: createCommandStores(config, redis, now),
    changeQueue: new BullChangeQueue(queues.changes),
    async connect(): Promise<void> {
      await redis.connect();
    },
    /**
     * What follows a site's connection, by consent or by the accessible-resources refresh: its
     * webhook registration and first sync, as jobs (so it returns quickly).
     */
    async onConnected(connections: Connection[]): Promise<void> {
      await queues.maintenance.addBulk(connections.map((c) => reconcileJob(c.id)));
      await sync.scheduler.connected(connections.map((c) => c.id));
    },
    /** Registers or repairs one connection's webhook, as a job. */
    async reconcileWebhooks(connectionId: string): Promise<void> {
      const job = reconcileJob(connectionId);
      await queues.maintenance.add(job.name, job.data, job.opts);
    },
  };
}

export type Services = ReturnType<typeof createServices>;

/** The producer side of every queue, on connections that fail fast while Redis is away. */
function createQueues(config: Config, log: Logger, shutdown: Shutdown) {
  const producer = {
    connection: bullConnection(config, { enableOfflineQueue: false }, shutdown, 'queues'),
    prefix: bullPrefix(config),
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
  shutdown.add('queues', () => Promise.allSettled(Object.values(queues).map((q) => q.close())));
  return queues;
}

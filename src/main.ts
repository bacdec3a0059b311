import type { Worker } from 'bullmq';
import closeWithGrace from 'close-with-grace';
import { type Config, ConfigError, loadConfig } from '../config/index.ts';
import { loadConnectorsConfig } from '../config/load-connectors-config.ts';
import type { JiraChange } from '../connectors/jira-change.ts';
import { connectorTopics, enabledConnectors } from '../connectors/registry.ts';
import { startChangesWorker } from '../workers/changes-worker.ts';
import { deadLetterOnFinalFailure } from '../workers/dead-letter-on-failure.ts';
import { startEventsWorker } from '../workers/events-worker.ts';
import { reconcileJob, scheduleMaintenance, startMaintenanceWorker } from '../workers/maintenance-worker.ts';
import { type SyncWorkerDeps, startSyncWorker } from '../workers/sync-worker.ts';
import type { WorkerConnection } from '../workers/worker-options.ts';
import { buildApp } from './app.ts';
import { fieldListOfSite } from './atlassian/jira-reads.ts';
import { createServices, type Services } from './composition/services.ts';
import type { Connection } from './connections/connection.ts';
import { createKafkaClient } from './kafka/kafka-client.ts';
import { KafkaEventPublisher } from './kafka/kafka-event-publisher.ts';
import { kafkaReadiness } from './kafka/kafka-health.ts';
import { ensureTopics } from './kafka/topic-admin.ts';
import { createLogger, type Logger } from './logger.ts';
import { instrumentPublisher } from './metrics/instrumented-publisher.ts';
import { observeJobDurations } from './metrics/queue-metrics.ts';
import { createChangeHandler } from './pipeline/change-handler.ts';
import { MappingProvider } from './pipeline/mapping-provider.ts';
import { logProcessWarnings } from './process-warnings.ts';
import { syncFields } from './sync/sync-scope.ts';
import { oauthRouteDeps } from './tokens/token-services.ts';

/**
 * The one entry point and composition root: configuration, real dependencies, then the roles ROLE
 * asks for (api: HTTP; worker: every queue's worker; all: both). The only module that imports
 * workers/. SIGTERM stops intake, drains in-flight jobs, flushes Kafka and closes Redis.
 */
function exitWith(problems: readonly string[]): never {
  for (const problem of problems) process.stderr.write(`config error: ${problem}\n`);
  process.exit(1);
}

function readConfig(): Config {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) exitWith(err.problems);
    throw err;
  }
}

/** The sync worker's dependencies: the services' budgeted clients and stores, the connectors' fields. */
function syncWorkerDeps(
  config: Config,
  log: Logger,
  services: Services,
  mappings: MappingProvider,
  handle: (change: JiraChange) => Promise<unknown>,
): SyncWorkerDeps {
  return {
    connections: services.tokens.connections,
    clientFor: services.syncClientFor,
    pass: services.sync.passDeps({
      queue: services.changeQueue,
      handle,
      entities: services.entities,
      fieldsFor: async (siteHost) => syncFields((await mappings.mappingsFor(siteHost)).values()),
    }),
    cursors: services.sync.cursors,
    leases: services.sync.leases,
    budget: services.sync.budget,
    planner: services.sync.planner,
    queue: services.queues.sync,
    busyRetryMs: config.SYNC_SITE_BUSY_RETRY_MS,
    log,
  };
}

/**
 * What follows a site's connection, by consent or by the accessible-resources refresh: its webhook
 * registration and first sync, as jobs (so it returns quickly).
 */
function afterConnected(services: Services): (connections: Connection[]) => Promise<void> {
  return async (connections) => {
    await services.queues.maintenance.addBulk(connections.map((c) => reconcileJob(c.id)));
    await services.sync.scheduler.connected(connections.map((c) => c.id));
  };
}

async function startWorkers(
  config: Config,
  log: Logger,
  services: Services,
  kafka: ReturnType<typeof createKafkaClient>,
) {
  const connectorsFile = await loadConnectorsConfig(config.CONNECTORS_CONFIG);
  if (!connectorsFile.ok) exitWith(connectorsFile.problems);
  const connectors = enabledConnectors(connectorsFile.config);
  const settings = {
    partitions: config.KAFKA_TOPIC_PARTITIONS,
    replicationFactor: config.KAFKA_REPLICATION_FACTOR,
  };
  await ensureTopics(
    kafka,
    [...connectorTopics(connectorsFile.config), config.KAFKA_DLQ_TOPIC],
    settings,
    log,
  );
  const kafkaPublisher = new KafkaEventPublisher({
    kafka,
    dlqTopic: config.KAFKA_DLQ_TOPIC,
    lingerMs: config.KAFKA_LINGER_MS,
    maxBatchMessages: config.KAFKA_BATCH_MAX_MESSAGES,
    retryMaxDelayMs: config.KAFKA_RETRY_MAX_DELAY_MS,
    log,
  });
  await kafkaPublisher.connect();
  const publisher = instrumentPublisher(kafkaPublisher, services.metrics);

  const connection: WorkerConnection = {
    connection: { url: config.REDIS_URL, maxRetriesPerRequest: null },
    prefix: config.QUEUE_PREFIX,
    concurrency: config.WORKER_CONCURRENCY,
  };
  const mappings = new MappingProvider({
    connectors,
    fields: fieldListOfSite(services.tokens.connections, services.clientFor),
    ttlMs: config.FIELD_LIST_CACHE_SECONDS * 1000,
    log,
  });
  const pipeline = {
    entities: services.entities,
    mappings,
    published: services.published,
    publisher,
    log,
    metrics: services.metrics,
    now: () => new Date(),
  };
  const handleChange = createChangeHandler({ ...pipeline, retryQueue: services.changeQueue });
  const workers: Worker[] = [
    startEventsWorker(connection, {
      seen: services.seen,
      handle: services.sync.withWebhookSightings(handleChange),
      markdown: config.TEXT_MARKDOWN,
      log,
      metrics: services.metrics,
    }),
    startChangesWorker(connection, pipeline),
    startSyncWorker(connection, syncWorkerDeps(config, log, services, mappings, handleChange), {
      concurrency: config.SYNC_WORKER_CONCURRENCY,
      lockDurationMs: config.SYNC_JOB_LOCK_MS,
    }),
    startMaintenanceWorker(connection, {
      registrar: services.registrar,
      connections: services.tokens.connections,
      tokens: services.tokens.tokens,
      queue: services.queues.maintenance,
      oauth: services.tokens.oauth,
      onConnected: afterConnected(services),
      allowedSites: config.OAUTH_ALLOWED_SITES,
      log,
    }),
  ];
  for (const worker of workers) {
    deadLetterOnFinalFailure(worker, publisher, log);
    observeJobDurations(services.metrics, worker);
    worker.on('error', (err) => log.error({ err, queue: worker.name }, 'worker error'));
  }
  await scheduleMaintenance(services.queues.maintenance, {
    webhookRefreshMs: config.WEBHOOK_REFRESH_INTERVAL_SECONDS * 1000,
    keepAliveMs: config.TOKEN_KEEPALIVE_INTERVAL_SECONDS * 1000,
    resourcesRefreshMs: config.ACCESSIBLE_RESOURCES_REFRESH_SECONDS * 1000,
  });
  await services.sync.scheduler.schedulePlanner();
  log.info(
    { queues: workers.map((w) => w.name), connectors: connectors.map((c) => c.name) },
    'workers started',
  );
  return {
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await publisher.close();
    },
  };
}

async function main(): Promise<void> {
  const config = readConfig();
  const log = createLogger({ level: config.LOG_LEVEL });
  logProcessWarnings(log);
  const services = createServices(config, log);
  await services.connect();
  const kafka = createKafkaClient({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID, log });
  const kafkaCheck = kafkaReadiness(kafka);

  const workers = config.ROLE === 'api' ? undefined : await startWorkers(config, log, services, kafka);
  const readiness = [
    { name: 'redis', check: async () => void (await services.redis.ping()) },
    { name: 'kafka', check: () => kafkaCheck.check() },
  ];
  // Worker-only processes still answer /healthz, /readyz and /metrics, so they can be probed and scraped.
  const app = await buildApp({
    config,
    log,
    readiness,
    metrics: services.metrics,
    ...(config.ROLE === 'worker'
      ? {}
      : {
          webhooks: services.webhookRouteDeps(),
          oauth: oauthRouteDeps(config, services.tokens, afterConnected(services)),
          admin: services.adminRouteDeps(services.sync.control, async (id) => {
            const job = reconcileJob(id);
            await services.queues.maintenance.add(job.name, job.data, job.opts);
          }),
        }),
  });
  await app.listen({ port: config.PORT, host: config.HOST });
  log.info({ role: config.ROLE, port: config.PORT }, 'jira-relay started');

  closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS, logger: log }, async ({ err, signal }) => {
    if (err) log.error({ err }, 'shutting down after an error');
    else log.info({ signal }, 'shutting down');
    await app.close(); // stop intake first: nothing new is accepted
    await workers?.close(); // in-flight jobs finish, the producer flushes
    await kafkaCheck.close();
    await services.close();
  });
}

await main();

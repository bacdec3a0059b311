import type { ConnectorsConfig } from '../../connectors/config/connectors-config-schema.ts';
import type { JiraChange } from '../../connectors/jira-change.ts';
import { connectorTopics, enabledConnectors } from '../../connectors/registry.ts';
import { fieldListOfSite } from '../atlassian/jira/jira-reads.ts';
import { pendingWriteEchoes } from '../commands/echo/echo-filter.ts';
import { RedisDeadLetterOutbox } from '../kafka/dead-letter-outbox.ts';
import { DurableDeadLetterPublisher } from '../kafka/durable-dead-letter-publisher.ts';
import type { createKafkaClient } from '../kafka/kafka-client.ts';
import { KafkaEventPublisher } from '../kafka/kafka-event-publisher.ts';
import { ensureTopics } from '../kafka/topic-admin.ts';
import { instrumentPublisher } from '../metrics/instrumented-publisher.ts';
import { createChangePipeline } from '../pipeline/change-pipeline.ts';
import { MappingProvider } from '../pipeline/mapping-provider.ts';
import { bullPrefix } from '../state/redis-client.ts';
import { syncFields } from '../sync/sync-scope.ts';
import { bullConnection } from './bull-connection.ts';
import type { Services } from './services.ts';

/**
 * What the worker role runs on: the Kafka publisher (topics ensured first), the connectors' mapping
 * provider, the change pipeline (one for every path: webhook, changes queue, sync), and each
 * queue's worker dependencies. main.ts hands these to the workers it starts; the publisher is
 * closed after them (it was built before them).
 */
export async function createWorkerDeps(
  services: Services,
  kafka: ReturnType<typeof createKafkaClient>,
  connectorsFile: ConnectorsConfig,
) {
  const { config, log } = services;
  const connectors = enabledConnectors(connectorsFile);
  const publisher = await startPublisher(services, kafka, connectorsFile);

  const mappings = new MappingProvider({
    connectors,
    fields: fieldListOfSite(services.tokens.connections, (c) => services.jira.clientFor(c)),
    ttlMs: config.FIELD_LIST_CACHE_SECONDS * 1000,
    log,
  });
  const { sync } = services;
  const pipeline = createChangePipeline({
    entities: services.entities,
    mappings,
    published: services.published,
    publisher,
    log,
    metrics: services.metrics,
    now: () => new Date(),
    busyRetryMs: config.PUBLISH_BUSY_RETRY_MS,
    futureVersionSkewMs: config.FUTURE_VERSION_SKEW_SECONDS * 1000,
    retryQueue: services.changeQueue,
    coverage: sync.coverage,
    known: sync.known,
    echoes: pendingWriteEchoes(services.commands.writes),
  });
  return {
    connectors,
    publisher,
    mappings,
    connection: {
      connection: bullConnection(config, { maxRetriesPerRequest: null }, services.shutdown, 'workers'),
      prefix: bullPrefix(config),
      concurrency: config.WORKER_CONCURRENCY,
    },
    events: {
      claims: services.claims,
      handle: pipeline.handle,
      markdown: config.TEXT_MARKDOWN,
      log,
      metrics: services.metrics,
    },
    changes: pipeline.process,
    sync: syncWorkerDeps(services, pipeline.handle, mappings),
    syncOptions: { concurrency: config.SYNC_WORKER_CONCURRENCY, lockDurationMs: config.SYNC_JOB_LOCK_MS },
    maintenance: {
      registrar: services.registrar,
      connections: services.tokens.connections,
      tokens: services.tokens.tokens,
      queue: services.queues.maintenance,
      oauth: services.tokens.oauth,
      onConnected: services.onConnected,
      allowedSites: config.OAUTH_ALLOWED_SITES,
      deadLetters: publisher,
      log,
    },
    maintenanceIntervals: {
      webhookRefreshMs: config.WEBHOOK_REFRESH_INTERVAL_SECONDS * 1000,
      keepAliveMs: config.TOKEN_KEEPALIVE_INTERVAL_SECONDS * 1000,
      resourcesRefreshMs: config.ACCESSIBLE_RESOURCES_REFRESH_SECONDS * 1000,
      tokenResealMs: config.TOKEN_RESEAL_INTERVAL_SECONDS * 1000,
      deadLetterResendMs: config.DEAD_LETTER_RESEND_INTERVAL_SECONDS * 1000,
    },
  };
}

/**
 * The Kafka publisher, once the connectors' topics and the dead-letter topic exist. Its dead letters
 * are recorded in Redis before they are sent, so one that Kafka cannot take now is re-sent later.
 */
async function startPublisher(
  services: Services,
  kafka: ReturnType<typeof createKafkaClient>,
  connectorsFile: ConnectorsConfig,
) {
  const { config, log } = services;
  const topics = [...connectorTopics(connectorsFile), config.KAFKA_DLQ_TOPIC];
  const topicSettings = {
    partitions: config.KAFKA_TOPIC_PARTITIONS,
    replicationFactor: config.KAFKA_REPLICATION_FACTOR,
    ...(config.KAFKA_MIN_INSYNC_REPLICAS === undefined
      ? {}
      : { minInsyncReplicas: config.KAFKA_MIN_INSYNC_REPLICAS }),
  };
  await ensureTopics(kafka, topics, topicSettings, log);
  const kafkaPublisher = new KafkaEventPublisher({
    kafka,
    dlqTopic: config.KAFKA_DLQ_TOPIC,
    lingerMs: config.KAFKA_LINGER_MS,
    maxBatchMessages: config.KAFKA_BATCH_MAX_MESSAGES,
    retryMaxDelayMs: config.KAFKA_RETRY_MAX_DELAY_MS,
    publishTimeoutMs: config.KAFKA_PUBLISH_TIMEOUT_MS,
    maxPendingMessages: config.KAFKA_PUBLISH_MAX_PENDING,
    log,
  });
  await kafkaPublisher.connect();
  const publisher = new DurableDeadLetterPublisher({
    inner: instrumentPublisher(kafkaPublisher, services.metrics),
    outbox: new RedisDeadLetterOutbox(services.redis, {
      prefix: config.QUEUE_PREFIX,
      maxPending: config.DEAD_LETTER_MAX_PENDING,
    }),
    publishTimeoutMs: config.KAFKA_PUBLISH_TIMEOUT_MS,
    log,
  });
  services.shutdown.add('kafka publisher', () => publisher.close());
  return publisher;
}

function syncWorkerDeps(
  services: Services,
  handleChange: (change: JiraChange) => Promise<unknown>,
  mappings: MappingProvider,
) {
  const { config, log, sync } = services;
  return {
    connections: services.tokens.connections,
    clientFor: services.jira.clientFor,
    pass: sync.passDeps({
      queue: services.changeQueue,
      handle: handleChange,
      entities: services.entities,
      fieldsFor: async (siteHost: string) => syncFields((await mappings.mappingsFor(siteHost)).values()),
    }),
    cursors: sync.cursors,
    leases: sync.leases,
    budget: sync.budget,
    planner: sync.planner,
    queue: services.queues.sync,
    busyRetryMs: config.SYNC_SITE_BUSY_RETRY_MS,
    log,
  };
}

import { type Job, Queue, type Worker } from 'bullmq';
import { onTestFinished } from 'vitest';
import { parseConnectorsConfig } from '../../../connectors/config/parse-connectors-config.ts';
import type { JiraChange } from '../../../connectors/jira-change.ts';
import { enabledConnectors } from '../../../connectors/registry.ts';
import { createJiraServices } from '../../../src/composition/jira-services.ts';
import { createSyncServices, type SyncServices } from '../../../src/composition/sync-services.ts';
import type { Connection } from '../../../src/connections/connection.ts';
import type { EventPublisher } from '../../../src/kafka/event-publisher.ts';
import { createKafkaClient } from '../../../src/kafka/kafka-client.ts';
import { KafkaEventPublisher } from '../../../src/kafka/kafka-event-publisher.ts';
import { createMetrics } from '../../../src/metrics/registry.ts';
import type { HandledChange } from '../../../src/pipeline/change-handler.ts';
import { MappingProvider } from '../../../src/pipeline/mapping-provider.ts';
import { BullChangeQueue } from '../../../src/queues/change-queue.ts';
import { queueNames } from '../../../src/queues/queue-names.ts';
import { RedisDeliveryClaims } from '../../../src/state/delivery-claims.ts';
import { RedisEntityState } from '../../../src/state/entity-state.ts';
import { RedisPublishedVersions } from '../../../src/state/published-versions.ts';
import { syncFields } from '../../../src/sync/sync-scope.ts';
import { type DeliveryOutcome, processDeliveries } from '../../../workers/events-worker.ts';
import { type SyncWorkerDeps, startSyncWorker } from '../../../workers/sync-worker.ts';
import type { WorkerConnection } from '../../../workers/worker-options.ts';
import { KafkaReader } from '../../helpers/kafka-reader.ts';
import { bullPrefixOf, kafkaBrokers, testRedis, uniqueName } from '../../helpers/services.ts';
import type { SimulatorOptions } from '../../sim/index.ts';
import { consent, startTokenStack, type TokenStack } from '../tokens/token-stack.ts';
import { startStackPipeline } from './stack-pipeline.ts';

export interface SyncStack {
  readonly stack: TokenStack;
  readonly sync: SyncServices;
  readonly connections: Connection[];
  readonly syncQueue: Queue;
  readonly changesQueue: Queue;
  readonly topics: { readonly crm: string; readonly monitoring: string; readonly dlq: string };
  readonly reader: KafkaReader | undefined;
  readonly workerDeps: SyncWorkerDeps;
  /** The connection and BullMQ prefix of the stack's queues, for the workers a test starts itself. */
  readonly workerConnection: WorkerConnection;
  readonly entities: RedisEntityState;
  readonly published: RedisPublishedVersions;
  /** Runs a webhook body of site `index` through the events worker's processing, as Jira sent it. */
  webhook(body: Record<string, unknown>, index?: number): Promise<DeliveryOutcome>;
  /** Starts the sync worker (the changes worker runs from the start when Kafka is on). */
  startSyncWorker(concurrency?: number): Worker;
  connection(index: number): Connection;
}

export interface SyncStackOptions {
  readonly sim?: SimulatorOptions;
  readonly env?: Record<string, string>;
  /** Publish to Kafka and read the topics back (default true). */
  readonly kafka?: boolean;
  /** Runs before the consent; may name the account that consents (its time zone reads JQL dates). */
  readonly beforeConsent?: (sim: TokenStack['sim']) => string | undefined;
  /** Wraps the Kafka publisher every path publishes through (e.g. to make it fail for a while). */
  readonly publisher?: (real: EventPublisher) => EventPublisher;
}

/**
 * The relay's sync side in this process, on a real simulator port, real Redis and (by default) real
 * Kafka: every site connected by consent, the sync services with a unique prefix, the change
 * pipeline (changes worker, both connectors, the Kafka publisher) and a reader of the topics.
 */
export async function startSyncStack(opts: SyncStackOptions = {}): Promise<SyncStack> {
  const stack = await startTokenStack({
    sim: opts.sim ?? {},
    env: { JIRA_BUDGET_MAX_WAIT_MS: '200', LOG_LEVEL: 'silent', ...opts.env },
  });
  if ((await consent(stack, opts.beforeConsent?.(stack.sim))).status !== 200)
    throw new Error('consent failed');
  const connections = await stack.services.connections.list();
  const { config } = stack;
  const prefix = stack.keyPrefix;
  // As the relay has them: the queues and the dedupe claims under the BullMQ prefix (`{prefix}` on a
  // cluster), the queues and workers on a connection of their own.
  const queuePrefix = bullPrefixOf(prefix);
  const producer = { connection: testRedis(), prefix: queuePrefix };
  const syncQueue = new Queue(queueNames.sync, producer);
  const changesQueue = new Queue(queueNames.changes, producer);
  onTestFinished(async () => {
    await syncQueue.obliterate({ force: true }).catch(() => undefined);
    await changesQueue.obliterate({ force: true }).catch(() => undefined);
    await syncQueue.close();
    await changesQueue.close();
  });
  const log = stack.log;
  // As createServices builds them: one Jira budget for the clients and for sync.
  const jira = createJiraServices(
    { ...config, QUEUE_PREFIX: prefix },
    { redis: stack.redis, tokens: stack.services.tokens, log, now: stack.sim.clock.now },
  );
  const sync = createSyncServices(
    { ...config, QUEUE_PREFIX: prefix },
    {
      redis: stack.redis,
      syncQueue,
      connections: stack.services.connections,
      budget: jira.budget,
      log,
      now: stack.sim.clock.now,
    },
  );
  const clientFor = jira.clientFor;
  const topics = { crm: uniqueName('crm'), monitoring: uniqueName('monitoring'), dlq: uniqueName('dlq') };
  const parsed = parseConnectorsConfig(
    `connectors:\n  crm: { enabled: true, topic: ${topics.crm} }\n  monitoring: { enabled: true, topic: ${topics.monitoring} }\n`,
  );
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  const mappings = new MappingProvider({
    connectors: enabledConnectors(parsed.config),
    fields: async () => undefined,
    ttlMs: 60_000,
    log,
  });
  const entities = new RedisEntityState(stack.redis, prefix);
  const published = new RedisPublishedVersions(stack.redis, {
    prefix,
    claimTtlMs: 10_000,
    markerTtlSeconds: 3600,
  });
  const workerConnection: WorkerConnection = producer;
  let reader: KafkaReader | undefined;
  let handle: ((change: JiraChange) => Promise<unknown>) | undefined;
  let webhookHandle: (change: JiraChange) => Promise<HandledChange> = async () => {
    throw new Error('the webhook path needs Kafka');
  };
  if (opts.kafka !== false) {
    reader = await KafkaReader.start(kafkaBrokers(), [topics.crm, topics.monitoring, topics.dlq]);
    const kafkaPublisher = new KafkaEventPublisher({
      kafka: createKafkaClient({ brokers: kafkaBrokers(), clientId: uniqueName('sync-test'), log }),
      dlqTopic: topics.dlq,
      lingerMs: 5,
      maxBatchMessages: 1000,
      retryMaxDelayMs: 1000,
      publishTimeoutMs: 10_000,
      maxPendingMessages: 10_000,
      log,
    });
    await kafkaPublisher.connect();
    const publisher = opts.publisher ? opts.publisher(kafkaPublisher) : kafkaPublisher;
    // As in the relay: sync jobs take their changes through the connectors themselves.
    const pipeline = startStackPipeline({
      entities,
      mappings,
      published,
      publisher,
      sync,
      changesQueue,
      worker: workerConnection,
      log,
      config,
    });
    handle = pipeline.handle;
    webhookHandle = pipeline.handle;
    onTestFinished(async () => {
      await pipeline.worker.close();
      await kafkaPublisher.close();
      await reader?.stop();
    });
  }
  const claims = new RedisDeliveryClaims(stack.redis, queuePrefix, 60_000);
  const eventsDeps = { claims, handle: webhookHandle, markdown: false, log, metrics: createMetrics() };
  const workerDeps: SyncWorkerDeps = {
    connections: stack.services.connections,
    clientFor,
    pass: sync.passDeps({
      queue: new BullChangeQueue(changesQueue),
      ...(handle ? { handle } : {}),
      entities,
      fieldsFor: async (host) => syncFields((await mappings.mappingsFor(host)).values()),
    }),
    cursors: sync.cursors,
    leases: sync.leases,
    budget: sync.budget,
    planner: sync.planner,
    queue: syncQueue,
    busyRetryMs: config.SYNC_SITE_BUSY_RETRY_MS,
    log,
  };
  return {
    stack,
    sync,
    connections,
    syncQueue,
    changesQueue,
    topics,
    reader,
    workerDeps,
    workerConnection,
    entities,
    published,
    async webhook(body, index = 0) {
      const site = stack.sim.sites[index];
      if (!site) throw new Error(`no site ${index}`);
      const delivery = {
        siteHost: site.host,
        connectionId: site.cloudId,
        auth: 'jwt' as const,
        deliveryId: uniqueName('d'),
        receivedAt: Date.now(),
        retry: 0,
        body,
      };
      const job = { id: uniqueName('events'), data: { deliveries: [delivery] } } as unknown as Job;
      const [outcome] = await processDeliveries(job, eventsDeps);
      if (!outcome) throw new Error('no outcome');
      return outcome;
    },
    startSyncWorker(concurrency = 4) {
      const worker = startSyncWorker(workerConnection, workerDeps, {
        concurrency,
        lockDurationMs: config.SYNC_JOB_LOCK_MS,
      });
      worker.on('error', () => undefined);
      onTestFinished(() => worker.close());
      return worker;
    },
    connection(index) {
      const site = stack.sim.sites[index];
      const found = connections.find((c) => c.cloudId === site?.cloudId);
      if (!found) throw new Error(`no connection for site ${index}`);
      return found;
    },
  };
}

import { Job, Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConnectorsConfig } from '../../../connectors/config/parse-connectors-config.ts';
import { enabledConnectors } from '../../../connectors/registry.ts';
import { createKafkaClient } from '../../../src/kafka/kafka-client.ts';
import { KafkaEventPublisher } from '../../../src/kafka/kafka-event-publisher.ts';
import { createLogger } from '../../../src/logger.ts';
import { createMetrics } from '../../../src/metrics/registry.ts';
import { createChangeHandler } from '../../../src/pipeline/change-handler.ts';
import { MappingProvider } from '../../../src/pipeline/mapping-provider.ts';
import { RawJsonQueue } from '../../../src/queues/bullmq-internals/raw-json-queue.ts';
import { BullChangeQueue, type ChangeJob } from '../../../src/queues/change-queue.ts';
import { BatchingDeliveryQueue, type DeliveryBatch } from '../../../src/queues/delivery-queue.ts';
import type { WebhookDelivery } from '../../../src/queues/webhook-delivery.ts';
import { RedisDeliveryClaims } from '../../../src/state/delivery-claims.ts';
import { RedisEntityState } from '../../../src/state/entity-state.ts';
import { RedisPublishedVersions } from '../../../src/state/published-versions.ts';
import { processDeliveries } from '../../../workers/events-worker.ts';
import { realWebhookBody } from '../../helpers/jira-webhook.ts';
import { bullPrefixOf, kafkaBrokers, testRedis, uniqueName } from '../../helpers/services.ts';

const queues: Queue[] = [];
afterEach(async () => {
  for (const q of queues.splice(0)) {
    await q.obliterate({ force: true });
    await q.close();
  }
});

const log = createLogger({ level: 'silent' });
let kafka: ReturnType<typeof createKafkaClient>;
let publisher: KafkaEventPublisher;
beforeAll(async () => {
  kafka = createKafkaClient({ brokers: kafkaBrokers(), clientId: 'events-test', log });
  publisher = new KafkaEventPublisher({
    kafka,
    dlqTopic: uniqueName('dlq'),
    lingerMs: 1,
    maxBatchMessages: 100,
    retryMaxDelayMs: 500,
    publishTimeoutMs: 10_000,
    maxPendingMessages: 10_000,
    log,
  });
  await publisher.connect();
});
afterAll(async () => {
  await publisher.close();
});

function setup(opts: { publisher?: KafkaEventPublisher } = {}) {
  const redis = testRedis();
  // As in the relay: the queues and the dedupe claims under one prefix, `{prefix}` on a cluster.
  const prefix = bullPrefixOf(uniqueName('relay'));
  const connection = redis;
  const events = new Queue(uniqueName('jira-events'), { connection, prefix });
  const retries = new Queue<ChangeJob>(uniqueName('jira-changes'), { connection, prefix });
  queues.push(events, retries);
  const parsed = parseConnectorsConfig(
    `connectors:\n  crm: { enabled: true, topic: ${uniqueName('crm')} }\n`,
  );
  if (!parsed.ok) throw new Error(parsed.problems.join());
  const published = new RedisPublishedVersions(redis, { prefix, claimTtlMs: 5000, markerTtlSeconds: 600 });
  const metrics = createMetrics();
  const handle = createChangeHandler({
    entities: new RedisEntityState(redis, prefix),
    mappings: new MappingProvider({
      connectors: enabledConnectors(parsed.config),
      fields: async () => undefined,
      ttlMs: 60_000,
      log,
    }),
    published,
    publisher: opts.publisher ?? publisher,
    log,
    metrics,
    now: () => new Date(),
    retryQueue: new BullChangeQueue(retries),
  });
  const deps = {
    claims: new RedisDeliveryClaims(redis, prefix, 60_000),
    handle,
    markdown: false,
    log,
    metrics,
  };
  const deliver = async (delivery: WebhookDelivery) => {
    const job = await Job.create(events, 'deliveries', { deliveries: [delivery] });
    const [outcome] = await processDeliveries(job, deps);
    return outcome;
  };
  const crmVersion = (issueId: string) =>
    published.current({
      connector: 'crm',
      siteHost: 'some-instance-test.atlassian.net',
      entity: 'issue',
      entityId: issueId,
    });
  return { events, retries, deliver, crmVersion, deps, prefix, metrics };
}

function delivery(overrides: Partial<WebhookDelivery> = {}): WebhookDelivery {
  return {
    siteHost: 'some-instance-test.atlassian.net',
    connectionId: 'conn-1',
    auth: 'jwt',
    deliveryId: uniqueName('d'),
    receivedAt: Date.now(),
    retry: 0,
    body: realWebhookBody('issue_updated'),
    ...overrides,
  };
}

describe('events worker', () => {
  it('maps a delivery from its payload and publishes it through the connectors', async () => {
    const { deliver, crmVersion } = setup();
    expect(await deliver(delivery())).toEqual({ outcome: 'handled', changes: ['processed'] });
    expect(await crmVersion('10040')).toEqual({
      version: Date.parse('2019-02-15T19:14:22.002-08:00'),
      deleted: false,
    });
  });

  it('drops a repeat of a delivery under one identifier, even after intake forgot it', async () => {
    const { deliver } = setup();
    const first = delivery();
    await deliver(first);
    expect(await deliver({ ...first, retry: 1 })).toEqual({ outcome: 'duplicate' });
  });

  it('counts a repeat once: where intake answered it as one, or here when only the worker finds it', async () => {
    const { events, deps, prefix, metrics } = setup();
    const workerCount = async () =>
      (await metrics.webhooksDeduplicated.get()).values.find((v) => v.labels.stage === 'worker')?.value ?? 0;
    const intakeQueue = (failingClaims: boolean) => {
      const queue = new RawJsonQueue<DeliveryBatch>(events.name, { connection: testRedis(), prefix });
      queues.push(queue);
      const deliveries = new BatchingDeliveryQueue({ queue, keyPrefix: prefix, dedupeTtlMs: 60_000 });
      if (failingClaims) queue.defineWriterScript('claimDeliveryBatch', "return redis.error_reply('lost')");
      return deliveries;
    };
    const processAll = async () => {
      const jobs = await events.getJobs(['wait']);
      const outcomes = [];
      for (const job of jobs.sort((a, b) => a.timestamp - b.timestamp)) {
        outcomes.push(...(await processDeliveries(job, deps)));
        await job.remove();
      }
      return outcomes.map((o) => o.outcome);
    };

    // Answered 200 by intake (and counted there), stored in a job of its own all the same.
    const intake = intakeQueue(false);
    const first = delivery();
    expect(await intake.enqueue(first)).toBe('queued');
    expect(await intake.enqueue({ ...first, retry: 1 })).toBe('duplicate');
    expect(await processAll()).toEqual(['handled', 'duplicate']);
    expect(await workerCount()).toBe(0);

    // Claims that failed at intake: both copies were answered as queued, the worker drops one.
    const lossy = intakeQueue(true);
    const second = delivery();
    expect(await lossy.enqueue(second)).toBe('queued');
    expect(await lossy.enqueue({ ...second, retry: 1 })).toBe('queued');
    expect(await processAll()).toEqual(['handled', 'duplicate']);
    expect(await workerCount()).toBe(1);
  });

  it('publishes the same change carried by two deliveries once', async () => {
    const { deliver, crmVersion } = setup();
    await deliver(delivery());
    const before = await crmVersion('10040');
    expect(await deliver(delivery())).toEqual({ outcome: 'handled', changes: ['processed'] });
    expect(await crmVersion('10040')).toEqual(before);
  });

  it('defers a change it cannot publish now to the change queue, durably', async () => {
    const closed = new KafkaEventPublisher({
      kafka,
      dlqTopic: 'unused',
      lingerMs: 1,
      maxBatchMessages: 10,
      retryMaxDelayMs: 100,
      publishTimeoutMs: 10_000,
      maxPendingMessages: 10_000,
      log,
    });
    await closed.close();
    const { deliver, retries } = setup({ publisher: closed });
    expect(await deliver(delivery())).toEqual({ outcome: 'handled', changes: ['deferred'] });
    const [job] = await retries.getJobs(['wait']);
    expect(job?.data.change).toMatchObject({ entity: 'issue', issue: { id: '10040' }, source: 'webhook' });
  });

  it('skips events it cannot map, and refuses malformed jobs without retrying', async () => {
    const { deliver } = setup();
    const skipped = await deliver(delivery({ body: { webhookEvent: 'comment_created', comment: {} } }));
    expect(skipped).toMatchObject({ outcome: 'skipped' });
    await expect(deliver({ siteHost: '' } as WebhookDelivery)).rejects.toThrow(/invalid delivery job/);
  });
});

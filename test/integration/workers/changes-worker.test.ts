import { Queue } from 'bullmq';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConnectorsConfig } from '../../../connectors/config/parse-connectors-config.ts';
import type { JiraChange } from '../../../connectors/jira-change.ts';
import { type EnabledConnector, enabledConnectors } from '../../../connectors/registry.ts';
import { RedisDeadLetterOutbox } from '../../../src/kafka/dead-letter-outbox.ts';
import { DurableDeadLetterPublisher } from '../../../src/kafka/durable-dead-letter-publisher.ts';
import type { EventPublisher } from '../../../src/kafka/event-publisher.ts';
import { createKafkaClient } from '../../../src/kafka/kafka-client.ts';
import { KafkaEventPublisher } from '../../../src/kafka/kafka-event-publisher.ts';
import { PublishRefusedError } from '../../../src/kafka/publish-refused-error.ts';
import { createLogger } from '../../../src/logger.ts';
import { createMetrics } from '../../../src/metrics/registry.ts';
import { MappingProvider } from '../../../src/pipeline/mapping-provider.ts';
import { processChange } from '../../../src/pipeline/process-change.ts';
import { BullChangeQueue, type ChangeJob } from '../../../src/queues/change-queue.ts';
import { queueNames } from '../../../src/queues/queue-names.ts';
import { RedisEntityState } from '../../../src/state/entity-state.ts';
import { RedisPublishedVersions } from '../../../src/state/published-versions.ts';
import { startChangesWorker } from '../../../workers/changes-worker.ts';
import { deadLetterOnFinalFailure } from '../../../workers/dead-letter-on-failure.ts';
import { commentChange, issueChange, issueSnapshot } from '../../helpers/changes.ts';
import { SchemaViolations } from '../../helpers/event-schemas.ts';
import { deleteKeysWithPrefix } from '../../helpers/redis-keys.ts';
import { bullPrefixOf, kafkaBrokers, testRedis, uniqueName } from '../../helpers/services.ts';
import { waitUntil } from '../../helpers/wait-until.ts';

interface Received {
  topic: string;
  key: string;
  headers: Record<string, string>;
  data: Record<string, unknown>;
}

const log = createLogger({ level: 'silent' });
const crmTopic = uniqueName('crm');
const monitoringTopic = uniqueName('monitoring');
const dlqTopic = uniqueName('dlq');
const received: Received[] = [];
/** Every message read is checked against its JSON Schema; `eventsFor` and `afterAll` throw on a break. */
const violations = new SchemaViolations();
let publisher: KafkaEventPublisher;
let reader: ReturnType<Kafka['consumer']>;

function connectorsFile(): EnabledConnector[] {
  const parsed = parseConnectorsConfig(`
connectors:
  crm: { enabled: true, topic: ${crmTopic}, fields: { customer: customfield_10050 } }
  monitoring: { enabled: true, topic: ${monitoringTopic} }
`);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return enabledConnectors(parsed.config);
}

function deps(connectors: readonly EnabledConnector[] = connectorsFile(), pub: EventPublisher = publisher) {
  const redis = testRedis();
  const prefix = uniqueName('relay');
  return {
    entities: new RedisEntityState(redis, prefix),
    mappings: new MappingProvider({ connectors, fields: async () => undefined, ttlMs: 60_000, log }),
    published: new RedisPublishedVersions(redis, { prefix, claimTtlMs: 10_000, markerTtlSeconds: 3600 }),
    publisher: pub,
    log,
    metrics: createMetrics(),
    now: () => new Date('2024-03-01T12:00:00Z'),
  };
}

async function eventsFor(issueId: string, count: number): Promise<Received[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    violations.throwIfAny();
    const mine = received.filter((r) => r.key.endsWith(`:${issueId}`));
    if (mine.length >= count || Date.now() > deadline) return mine;
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  const kafka = createKafkaClient({ brokers: kafkaBrokers(), clientId: 'changes-test', log });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [crmTopic, monitoringTopic, dlqTopic].map((topic) => ({ topic })),
    waitForLeaders: true,
  });
  await admin.disconnect();
  publisher = new KafkaEventPublisher({
    kafka,
    dlqTopic,
    lingerMs: 2,
    maxBatchMessages: 500,
    retryMaxDelayMs: 1000,
    publishTimeoutMs: 10_000,
    maxPendingMessages: 10_000,
    log,
  });
  await publisher.connect();
  reader = new Kafka({ clientId: 'reader', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).consumer({
    groupId: uniqueName('g'),
  });
  await reader.connect();
  await reader.subscribe({ topics: [crmTopic, monitoringTopic, dlqTopic], fromBeginning: true });
  await reader.run({
    eachMessage: async ({ topic, message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
      violations.check(topic, headers, String(message.value));
      received.push({ topic, key: String(message.key), headers, data: JSON.parse(String(message.value)) });
    },
  });
});

afterAll(async () => {
  await reader?.disconnect();
  await publisher?.close();
  violations.throwIfAny();
});

describe('change pipeline on real Redis and Kafka', () => {
  it('publishes a change to every connector as CloudEvents with key, headers and data', async () => {
    const issueId = uniqueName('i').replace(/\D/g, '').slice(0, 9);
    const change = issueChange({
      kind: 'created',
      issue: issueSnapshot({ id: issueId, customFields: { customfield_10050: 'Acme' } }),
    });
    const outcome = await processChange(change, deps());
    expect(outcome).toMatchObject({ outcome: 'processed' });
    const events = await eventsFor(issueId, 2);
    const crm = events.find((e) => e.topic === crmTopic);
    const monitoring = events.find((e) => e.topic === monitoringTopic);
    expect(crm?.key).toBe(`acme.atlassian.net:${issueId}`);
    expect(crm?.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_type: 'dev.jirarelay.crm.ticket.upserted',
      ce_source: 'https://acme.atlassian.net',
      ce_subject: 'OPS-7',
      ce_time: new Date(change.version).toISOString(),
      'content-type': 'application/json',
    });
    expect(crm?.data).toMatchObject({ key: 'OPS-7', customer: 'Acme' });
    expect(monitoring?.headers.ce_type).toBe('dev.jirarelay.monitoring.incident.triggered');
  });

  it('publishes a version once, whichever path brings it and however often', async () => {
    const d = deps();
    const issueId = uniqueName('i').replace(/\D/g, '').slice(0, 9);
    const byWebhook = issueChange({ issue: issueSnapshot({ id: issueId }), source: 'webhook' });
    const byPoll: JiraChange = { ...byWebhook, source: 'poll', observedAt: byWebhook.observedAt + 60_000 };
    await processChange(byWebhook, d);
    const second = await processChange(byPoll, d);
    expect(second).toMatchObject({
      outcome: 'processed',
      connectors: [{ outcome: 'already_published' }, { outcome: 'already_published' }],
    });
    await new Promise((r) => setTimeout(r, 500));
    const events = await eventsFor(issueId, 2);
    expect(events).toHaveLength(2);
  });

  it('drops an older version that arrives after a newer one', async () => {
    const d = deps();
    const issueId = uniqueName('i').replace(/\D/g, '').slice(0, 9);
    await processChange(issueChange({ issue: issueSnapshot({ id: issueId }), version: 2000 }), d);
    expect(
      await processChange(issueChange({ issue: issueSnapshot({ id: issueId }), version: 1000 }), d),
    ).toEqual({
      outcome: 'stale',
      current: 2000,
    });
  });

  it('dead-letters a change whose mapping throws, with the reason, while the others flow on', async () => {
    const [crm, monitoring] = connectorsFile();
    if (!crm || !monitoring) throw new Error('connectors missing');
    const broken: EnabledConnector = {
      ...monitoring,
      connector: {
        name: 'broken',
        map: () => {
          throw new Error('cannot map customfield_666');
        },
      },
    };
    // The broken connector comes first: the one after it must still publish.
    const pipeline = await startPipeline([broken, crm]);
    try {
      const issueId = uniqueName('i').replace(/\D/g, '').slice(0, 9);
      const change = commentChange({
        issue: { id: issueId, key: 'OPS-9' },
        comment: { ...commentChange().comment, issueId },
      });
      await pipeline.changes.enqueue([change]);
      const events = await eventsFor(issueId, 2);
      expect(events.find((e) => e.topic === crmTopic)?.headers.ce_type).toBe(
        'dev.jirarelay.crm.note.upserted',
      );
      expect(events.find((e) => e.topic === dlqTopic)?.data).toMatchObject({
        queue: pipeline.queue.name,
        connector: 'monitoring',
        key: `acme.atlassian.net:${issueId}`,
        input: { change: { issue: { id: issueId } } },
        error: {
          code: 'MAPPING_FAILED',
          message: 'monitoring: cannot map customfield_666',
          retryable: false,
        },
        attempts: 1,
      });
      // Recorded in Redis before it was sent, under the id it carries; removed once Kafka acked it.
      expect(events.find((e) => e.topic === dlqTopic)?.headers['x-relay-dead-letter-id']).toMatch(
        /^\d+-\d+$/,
      );
      await waitUntil(
        'the dead letter leaving the outbox',
        async () => (await pipeline.outbox.count()) === 0,
      );
      // A retry cannot fix a mapping: the job failed at once and stays visible for a re-drive.
      const [failed] = await pipeline.queue.getFailed();
      expect(failed?.failedReason).toBe('monitoring: cannot map customfield_666');
      expect(failed?.attemptsMade).toBe(1);
    } finally {
      await pipeline.close();
    }
  });

  it('retries a connector whose publish fails, publishes the others once, and dead-letters after the last attempt', async () => {
    const [crm, monitoring] = connectorsFile();
    if (!crm || !monitoring) throw new Error('connectors missing');
    // Over the broker's message size limit (1 MiB by default): Kafka refuses it every time.
    const oversized: EnabledConnector = {
      ...monitoring,
      connector: {
        name: 'oversized',
        map: (change, mapping, now) => {
          const result = monitoring.connector.map(change, mapping, now);
          if (result.kind === 'skip') return result;
          return {
            ...result,
            events: result.events.map((e) => ({ ...e, data: { blob: 'x'.repeat(2 << 20) } })),
          };
        },
      },
    };
    const pipeline = await startPipeline([oversized, crm], { attempts: 3 });
    try {
      const issueId = uniqueName('i').replace(/\D/g, '').slice(0, 9);
      await pipeline.changes.enqueue([
        issueChange({ kind: 'created', issue: issueSnapshot({ id: issueId }) }),
      ]);
      const letterOf = () => received.find((e) => e.topic === dlqTopic && e.key.endsWith(`:${issueId}`));
      await waitUntil('the dead letter', () => letterOf() !== undefined, { timeoutMs: 30_000 });
      expect(letterOf()?.data).toMatchObject({
        connector: 'monitoring',
        error: { code: 'KAFKA_PUBLISH_FAILED', retryable: true },
        attempts: 3,
      });
      // Three attempts, and the healthy connector published on the first and skipped after.
      const published = received.filter((e) => e.topic === crmTopic && e.key.endsWith(`:${issueId}`));
      expect(published).toHaveLength(1);
      const [failed] = await pipeline.queue.getFailed();
      expect(failed?.attemptsMade).toBe(3);
    } finally {
      await pipeline.close();
    }
  });

  it('delays a change whose publish Kafka refused, without spending an attempt, and publishes it once Kafka takes it', async () => {
    const [crm] = connectorsFile();
    if (!crm) throw new Error('connectors missing');
    const flaky = refusingFirst(2);
    // One attempt only: a refused publish that spent it would fail the job and dead-letter it.
    const pipeline = await startPipeline([crm], { attempts: 1, publisher: flaky });
    try {
      const issueId = uniqueName('i').replace(/\D/g, '').slice(0, 9);
      await pipeline.changes.enqueue([issueChange({ issue: issueSnapshot({ id: issueId }) })]);
      const events = await eventsFor(issueId, 1);
      expect(events.map((e) => e.topic)).toEqual([crmTopic]);
      expect(flaky.refused()).toBe(2);
      await waitUntil('the job completed', async () => (await pipeline.queue.getCompletedCount()) === 1);
      const [done] = await pipeline.queue.getCompleted();
      expect(done?.attemptsStarted).toBe(3);
      expect(done?.attemptsMade).toBe(1);
      expect(await pipeline.queue.getFailedCount()).toBe(0);
      expect(await pipeline.outbox.count()).toBe(0);
    } finally {
      await pipeline.close();
    }
  });
});

/**
 * A changes queue with its real worker and failure listener (dead letters recorded in Redis first,
 * as the relay does), over the given connectors and publisher.
 */
async function startPipeline(
  connectors: readonly EnabledConnector[],
  opts: { attempts?: number; publisher?: EventPublisher } = {},
) {
  const prefix = uniqueName('bull');
  const queue = new Queue<ChangeJob>(queueNames.changes, {
    connection: testRedis(),
    prefix: bullPrefixOf(prefix),
    defaultJobOptions: { attempts: opts.attempts ?? 1, backoff: { type: 'exponential', delay: 100 } },
  });
  const outbox = new RedisDeadLetterOutbox(testRedis(), { prefix, maxPending: 100 });
  const deadLetters = new DurableDeadLetterPublisher({
    inner: opts.publisher ?? publisher,
    outbox,
    publishTimeoutMs: 10_000,
    log,
  });
  const changesWorker = startChangesWorker(
    { connection: testRedis(), prefix: bullPrefixOf(prefix) },
    deps(connectors, opts.publisher ?? publisher),
  );
  deadLetterOnFinalFailure(changesWorker, deadLetters, log);
  return {
    queue,
    outbox,
    changes: new BullChangeQueue(queue),
    async close() {
      await changesWorker.close();
      await queue.obliterate({ force: true });
      await queue.close();
      await deleteKeysWithPrefix(testRedis(), prefix);
    },
  };
}

/** The real publisher, except that it refuses the first `refusals` publishes as Kafka away would. */
function refusingFirst(refusals: number): EventPublisher & { refused: () => number } {
  let refused = 0;
  return {
    publish: (events) => {
      if (refused >= refusals) return publisher.publish(events);
      refused++;
      return Promise.reject(new PublishRefusedError('unavailable', 'kafka has not answered'));
    },
    publishDeadLetter: (letter) => publisher.publishDeadLetter(letter),
    close: async () => undefined,
    refused: () => refused,
  };
}

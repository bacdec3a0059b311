import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapToCrm } from '../../../connectors/crm/crm-connector.ts';
import type { RelayEvent } from '../../../connectors/relay-event.ts';
import { createKafkaClient } from '../../../src/kafka/kafka-client.ts';
import { KafkaEventPublisher } from '../../../src/kafka/kafka-event-publisher.ts';
import { PublishRefusedError } from '../../../src/kafka/publish-refused-error.ts';
import { ensureTopics } from '../../../src/kafka/topic-admin.ts';
import { createLogger } from '../../../src/logger.ts';
import { issue, issueChange, mapping } from '../../helpers/connector-fixtures.ts';
import { uniqueName } from '../../helpers/services.ts';
import { waitUntil } from '../../helpers/wait-until.ts';
import { startOutagePipeline } from './outage-pipeline.ts';
import { canRunBroker, ownBroker } from './own-broker.ts';
import { readBack, testKafka } from './read-back.ts';

const log = createLogger({ level: 'silent' });
const broker = await ownBroker('restart');
const { brokers } = broker;

/** The publisher as the relay builds it, with limits small enough to reach in a test. */
async function startPublisher(topics: string[], limits: { timeoutMs: number; maxPending: number }) {
  const kafka = createKafkaClient({ brokers, clientId: uniqueName('restart'), log });
  await ensureTopics(kafka, topics, { partitions: 3, replicationFactor: 1 }, log);
  const publisher = new KafkaEventPublisher({
    kafka,
    dlqTopic: topics.at(-1) ?? '',
    lingerMs: 5,
    maxBatchMessages: 100,
    retryMaxDelayMs: 1000,
    publishTimeoutMs: limits.timeoutMs,
    maxPendingMessages: limits.maxPending,
    log,
  });
  await publisher.connect();
  return publisher;
}

/** The largest `pendingMessages` seen until `stop()`, sampled every 5 ms. */
function sampleMaxPending(publisher: KafkaEventPublisher) {
  let max = 0;
  const timer = setInterval(() => {
    max = Math.max(max, publisher.pendingMessages);
  }, 5);
  return { max: () => max, stop: () => clearInterval(timer) };
}

describe.skipIf(!canRunBroker)('publishing through a broker restart', () => {
  beforeAll(() => broker.start(), 300_000);
  afterAll(() => broker.remove(), 120_000);

  it('bounds what waits while the broker is down (publishes time out or are refused, pending stays under the cap) and delivers every event after the restart', async () => {
    const topic = uniqueName('restart-events');
    const maxPending = 40;
    const publisher = await startPublisher([topic, uniqueName('restart-dlq')], {
      timeoutMs: 1000,
      maxPending,
    });
    const pending = sampleMaxPending(publisher);

    const m = mapping({ topic });
    const events: RelayEvent[] = Array.from({ length: 240 }, (_, i) => {
      const change = issueChange({
        version: 1_700_000_000_000 + i,
        issue: issue({ id: String(20_000 + (i % 12)) }),
      });
      const result = mapToCrm(change, m, new Date());
      if (result.kind !== 'events' || !result.events[0]) throw new Error('no event');
      return result.events[0];
    });

    // A job's publish: a refusal is retried with the same event, hence the same ce_id.
    const refusals = new Map<string, number>();
    const publishUntilAcked = async (event: RelayEvent) => {
      for (;;) {
        try {
          return await publisher.publish([event]);
        } catch (err) {
          if (!(err instanceof PublishRefusedError)) throw err;
          refusals.set(err.reason, (refusals.get(err.reason) ?? 0) + 1);
          await sleep(250);
        }
      }
    };

    const acked: Promise<void>[] = [];
    let ackedCount = 0;
    const stream = (async () => {
      for (const event of events) {
        acked.push(publishUntilAcked(event).then(() => void ackedCount++));
        await sleep(60); // ~16 events/s for ~15 s of wall time
      }
    })();

    await sleep(3000);
    await broker.stop();
    const stoppedAt = Date.now();
    const ackedAtStop = ackedCount;
    await sleep(10_000);
    const ackedWhileDown = ackedCount - ackedAtStop;
    const refusedWhileDown = [...refusals.values()].reduce((a, b) => a + b, 0);
    await broker.start(false);
    const downMs = Date.now() - stoppedAt;

    await stream;
    await Promise.all(acked);
    pending.stop();
    await publisher.close();

    const read = await readBack(testKafka(brokers), topic, events.length, {
      timeoutMs: 60_000,
      quietMs: 1000,
    });
    const byId = new Map(events.map((e) => [e.id, e]));
    // The outage really was mid-stream: some events were acked before it, none during it.
    expect(downMs).toBeGreaterThanOrEqual(10_000);
    expect(ackedAtStop).toBeGreaterThan(0);
    expect(ackedAtStop).toBeLessThan(events.length / 2);
    expect(ackedWhileDown).toBe(0);
    // Publishes did not wait for the broker: they timed out or were refused, and were retried.
    expect((refusals.get('timeout') ?? 0) + (refusals.get('unavailable') ?? 0)).toBeGreaterThan(0);
    expect(refusedWhileDown).toBeGreaterThan(events.length / 4);
    expect(pending.max()).toBeGreaterThan(0);
    expect(pending.max()).toBeLessThanOrEqual(maxPending);
    // Every event arrived, each as it was published; a withdrawn publish never went out twice.
    expect(new Set(read.map((r) => r.headers.ce_id)).size).toBe(events.length);
    expect(read).toHaveLength(events.length);
    for (const message of read) {
      const event = byId.get(message.headers.ce_id ?? '');
      expect(event, `unknown ce_id ${message.headers.ce_id}`).toBeDefined();
      expect(message.key).toBe(event?.key);
      expect(JSON.parse(message.value)).toEqual(event?.data);
    }
  }, 300_000);

  it('lets change jobs wait out the outage without spending attempts, in per-issue order, and sends a dead letter written meanwhile after the restart', async () => {
    const [topic, dlqTopic] = [uniqueName('outage-crm'), uniqueName('outage-dlq')];
    const maxPending = 20;
    const publisher = await startPublisher([topic, dlqTopic], { timeoutMs: 1000, maxPending });
    const pending = sampleMaxPending(publisher);
    // Two attempts only: a job that spent one per refused publish would fail during the outage.
    const pipeline = await startOutagePipeline({ publisher, topic, attempts: 2, publishTimeoutMs: 1000 });

    await pipeline.enqueueVersions(0, 1);
    await waitUntil('the first changes published', async () => (await pipeline.counts()).completed === 4);
    await broker.stop();
    const stoppedAt = Date.now();
    await pipeline.enqueueVersions(1, 3);
    await waitUntil(
      'change jobs retried during the outage',
      async () => {
        const jobs = await pipeline.queue.getJobs(['delayed']);
        return jobs.filter((job) => job.attemptsStarted >= 2).length >= 4;
      },
      { timeoutMs: 20_000 },
    );
    // A job that fails for good meanwhile: its dead letter cannot reach Kafka, so Redis keeps it.
    await pipeline.deadLetters.publishDeadLetter(pipeline.letter());
    expect(await pipeline.outbox.count()).toBe(1);
    await sleep(Math.max(0, 8000 - (Date.now() - stoppedAt)));
    const whileDown = await pipeline.counts();
    await broker.start(false);

    await waitUntil('every change job done', async () => (await pipeline.counts()).completed === 16, {
      timeoutMs: 60_000,
    });
    expect(await pipeline.deadLetters.resendPending()).toMatchObject({ resent: 1, pending: 0 });
    pending.stop();
    // Versions 0 and 3 of each issue at least; 1 and 2 unless a newer one overtook them.
    const read = await readBack(testKafka(brokers), topic, 8, { timeoutMs: 60_000, quietMs: 1500 });
    const [deadLetter] = await readBack(testKafka(brokers), dlqTopic, 1);
    const [after, attemptsMade] = [await pipeline.counts(), await pipeline.attemptsMade()];
    await pipeline.close();
    await publisher.close();

    // Jobs of versions a newer one overtook complete as stale; the others waited, none failed.
    expect(whileDown.failed).toBe(0);
    expect(whileDown.completed).toBeLessThan(16);
    expect(pending.max()).toBeLessThanOrEqual(maxPending);
    expect(after).toMatchObject({ completed: 16, failed: 0 });
    // One attempt each (the one that completed): refused publishes spent none.
    expect(attemptsMade).toEqual([1]);
    // Per issue, versions reach Kafka in order, and the newest one always does.
    for (const issueId of pipeline.issueIds) {
      const versions = read
        .filter((r) => r.key.endsWith(`:${issueId}`))
        .map((r) => Date.parse(r.headers.ce_time ?? ''));
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
      expect(new Set(versions).size).toBe(versions.length);
      expect(versions[0]).toBe(pipeline.version(0));
      expect(versions.at(-1)).toBe(pipeline.version(3));
    }
    expect(deadLetter?.headers['x-relay-dead-letter-id']).toMatch(/^\d+-\d+$/);
    expect(JSON.parse(deadLetter?.value ?? '')).toMatchObject({ queue: 'outage-test', attempts: 1 });
  }, 300_000);
});

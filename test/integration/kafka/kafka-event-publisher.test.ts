import { describe, expect, it, onTestFinished } from 'vitest';
import { mapToCrm } from '../../../connectors/crm/crm-connector.ts';
import { mapToMonitoring } from '../../../connectors/monitoring/monitoring-connector.ts';
import type { RelayEvent } from '../../../connectors/relay-event.ts';
import { createKafkaClient } from '../../../src/kafka/kafka-client.ts';
import { KafkaEventPublisher } from '../../../src/kafka/kafka-event-publisher.ts';
import { PublishRefusedError } from '../../../src/kafka/publish-refused-error.ts';
import { ensureTopics } from '../../../src/kafka/topic-admin.ts';
import { commentChange, issueChange, mapping } from '../../helpers/connector-fixtures.ts';
import { captureLog } from '../../helpers/log-capture.ts';
import { kafkaBrokers, uniqueName } from '../../helpers/services.ts';
import { readBack, testKafka } from './read-back.ts';

async function setup(
  opts: {
    lingerMs?: number;
    maxBatchMessages?: number;
    publishTimeoutMs?: number;
    maxPendingMessages?: number;
  } = {},
) {
  const { records, log } = captureLog('info');
  const kafka = createKafkaClient({ brokers: kafkaBrokers(), clientId: uniqueName('relay'), log });
  const topic = uniqueName('events');
  const dlqTopic = uniqueName('dlq');
  await ensureTopics(kafka, [topic, dlqTopic], { partitions: 3, replicationFactor: 1 }, log);
  const publisher = new KafkaEventPublisher({
    kafka,
    dlqTopic,
    lingerMs: opts.lingerMs ?? 5,
    maxBatchMessages: opts.maxBatchMessages ?? 1000,
    retryMaxDelayMs: 1000,
    publishTimeoutMs: opts.publishTimeoutMs ?? 10_000,
    maxPendingMessages: opts.maxPendingMessages ?? 10_000,
    log,
  });
  await publisher.connect();
  onTestFinished(async () => {
    await publisher.close().catch(() => undefined);
    const admin = testKafka(kafkaBrokers()).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, dlqTopic] }).catch(() => undefined);
    await admin.disconnect();
  });
  return { kafka, topic, dlqTopic, publisher, records, log };
}

function eventsOf(result: ReturnType<typeof mapToCrm>): RelayEvent[] {
  if (result.kind !== 'events') throw new Error(result.reason);
  return [...result.events];
}

describe('KafkaEventPublisher on the real broker', () => {
  it('publishes CloudEvents in binary mode: ce_* headers, content type, issue key, JSON data', async () => {
    const { topic, publisher } = await setup();
    const m = mapping({ topic });
    const events = [
      ...eventsOf(mapToCrm(issueChange({ kind: 'created' }), m, new Date())),
      ...eventsOf(mapToMonitoring(issueChange({ previous: null }), m, new Date())),
      ...eventsOf(mapToCrm(commentChange(), m, new Date())),
    ];
    await publisher.publish(events);

    const read = await readBack(testKafka(kafkaBrokers()), topic, 3);
    expect(read).toHaveLength(3);
    // One key per issue: all three share a partition, in publish order.
    expect(new Set(read.map((r) => r.partition)).size).toBe(1);
    expect(read.map((r) => r.headers.ce_id)).toEqual(events.map((e) => e.id));
    for (const [i, message] of read.entries()) {
      const event = events[i] as RelayEvent;
      expect(message.key).toBe('acme.atlassian.net:10042');
      expect(message.headers).toEqual({
        'content-type': 'application/json',
        ce_specversion: '1.0',
        ce_id: event.id,
        ce_type: event.type,
        ce_source: 'https://acme.atlassian.net',
        ce_subject: 'OPS-7',
        ce_time: event.time,
        ce_dataschema: event.dataschema,
      });
      expect(JSON.parse(message.value)).toEqual(event.data);
    }
    expect(read.map((r) => r.headers.ce_type)).toEqual([
      'dev.jirarelay.crm.ticket.upserted',
      'dev.jirarelay.monitoring.incident.triggered',
      'dev.jirarelay.crm.note.upserted',
    ]);
  });

  it('resolves a publish only once the broker has the messages', async () => {
    const { kafka, topic, publisher } = await setup({ lingerMs: 20 });
    const m = mapping({ topic });
    const event = eventsOf(mapToCrm(issueChange(), m, new Date()))[0] as RelayEvent;
    await publisher.publish([event]);
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(1);
  });

  it('gathers concurrent publishes into batches, keeps per-issue order, and delivers them all', async () => {
    const { topic, publisher } = await setup({ lingerMs: 5, maxBatchMessages: 50 });
    const m = mapping({ topic });
    const events = Array.from({ length: 300 }, (_, i) =>
      eventsOf(
        mapToCrm(
          issueChange({
            version: 1_700_000_000_000 + i,
            issue: { ...issueChange().issue, id: String(10_000 + (i % 7)) },
          }),
          m,
          new Date(),
        ),
      ),
    ).flat();
    await Promise.all(events.map((e) => publisher.publish([e])));

    const read = await readBack(testKafka(kafkaBrokers()), topic, events.length, { timeoutMs: 30_000 });
    expect(read).toHaveLength(events.length);
    expect(new Set(read.map((r) => r.headers.ce_id)).size).toBe(events.length);
    for (const key of new Set(read.map((r) => r.key))) {
      const times = read.filter((r) => r.key === key).map((r) => Date.parse(r.headers.ce_time ?? ''));
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
  });

  it('fails only the publish the broker refuses, not the ones batched with it', async () => {
    const { topic, publisher } = await setup({ lingerMs: 50 });
    const m = mapping({ topic });
    const [good, other] = [
      issueChange(),
      issueChange({ issue: { ...issueChange().issue, id: '20002' } }),
    ].map((c) => eventsOf(mapToCrm(c, m, new Date()))[0] as RelayEvent);
    if (!good || !other) throw new Error('no events');
    // Over the broker's 1 MiB message limit: refused for good, whatever the retries.
    const oversized: RelayEvent = { ...other, data: { blob: 'x'.repeat(2 << 20) } };
    const results = await Promise.allSettled([publisher.publish([good]), publisher.publish([oversized])]);
    expect(results[0]).toMatchObject({ status: 'fulfilled' });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { code: 'KAFKA_PUBLISH_FAILED' } });
    const read = await readBack(testKafka(kafkaBrokers()), topic, 1);
    expect(read.map((r) => r.headers.ce_id)).toEqual([good.id]);
  });

  it('flushes waiting messages on close, then refuses new ones', async () => {
    const { topic, publisher } = await setup({ lingerMs: 60_000 });
    const m = mapping({ topic });
    const pending = publisher.publish(eventsOf(mapToCrm(issueChange(), m, new Date())));
    await publisher.close();
    await pending;
    await expect(publisher.publish(eventsOf(mapToCrm(issueChange(), m, new Date())))).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    expect(await readBack(testKafka(kafkaBrokers()), topic, 1)).toHaveLength(1);
  });

  it('withdraws a publish that waited longer than the publish timeout: it rejects, retryable, and never reaches Kafka', async () => {
    // A linger far past the timeout: the publish is still waiting for its batch when its time is up.
    const { kafka, topic, dlqTopic, publisher, log } = await setup({ lingerMs: 1500, publishTimeoutMs: 200 });
    const m = mapping({ topic });
    const [late, sentinel] = [
      issueChange(),
      issueChange({ issue: { ...issueChange().issue, id: '20003' } }),
    ].map((c) => eventsOf(mapToCrm(c, m, new Date()))[0] as RelayEvent);
    if (!late || !sentinel) throw new Error('no events');
    const startedAt = performance.now();
    await expect(publisher.publish([late])).rejects.toBeInstanceOf(PublishRefusedError);
    await expect(publisher.publish([late])).rejects.toMatchObject({ reason: 'timeout', retryable: true });
    expect(performance.now() - startedAt).toBeLessThan(1000);
    expect(publisher.pendingMessages).toBe(0);
    // Closing flushes whatever still waits: the withdrawn publishes are not among it.
    await publisher.close();

    const other = new KafkaEventPublisher({
      kafka,
      dlqTopic,
      lingerMs: 5,
      maxBatchMessages: 10,
      retryMaxDelayMs: 1000,
      publishTimeoutMs: 10_000,
      maxPendingMessages: 100,
      log,
    });
    await other.connect();
    onTestFinished(() => other.close());
    await other.publish([sentinel]);
    const read = await readBack(testKafka(kafkaBrokers()), topic, 1, { quietMs: 1000 });
    expect(read.map((r) => r.headers.ce_id)).toEqual([sentinel.id]);
  });

  it('refuses a publish at once, retryable, while KAFKA_PUBLISH_MAX_PENDING messages are pending', async () => {
    const { topic, publisher } = await setup({ lingerMs: 300, maxPendingMessages: 3 });
    const m = mapping({ topic });
    const events = Array.from(
      { length: 4 },
      (_, i) =>
        eventsOf(
          mapToCrm(issueChange({ issue: { ...issueChange().issue, id: String(30_000 + i) } }), m, new Date()),
        )[0] as RelayEvent,
    );
    const [a, b, c, d] = events as [RelayEvent, RelayEvent, RelayEvent, RelayEvent];
    const accepted = [publisher.publish([a, b]), publisher.publish([c])];
    expect(publisher.pendingMessages).toBe(3);
    await expect(publisher.publish([d])).rejects.toMatchObject({ reason: 'full', retryable: true });
    expect(publisher.pendingMessages).toBe(3);

    await Promise.all(accepted);
    expect(publisher.pendingMessages).toBe(0);
    await publisher.publish([d]);
    const read = await readBack(testKafka(kafkaBrokers()), topic, 4);
    expect(new Set(read.map((r) => r.headers.ce_id))).toEqual(new Set(events.map((e) => e.id)));
  });

  it('writes dead letters with the failed input, the error and the attempts', async () => {
    const { dlqTopic, publisher } = await setup();
    const input = { change: issueChange() };
    await publisher.publishDeadLetter({
      queue: 'connector-events',
      connector: 'crm',
      jobId: 'job-1',
      key: 'acme.atlassian.net:10042',
      input,
      error: { code: 'MAPPING_FAILED', message: 'mapping threw: boom', retryable: false },
      attempts: 8,
      failedAt: Date.parse('2024-03-01T10:00:00.000Z'),
    });
    const [letter] = await readBack(testKafka(kafkaBrokers()), dlqTopic, 1);
    expect(letter?.key).toBe('acme.atlassian.net:10042');
    expect(letter?.headers['x-relay-error-code']).toBe('MAPPING_FAILED');
    expect(JSON.parse(letter?.value ?? '')).toMatchObject({
      input: JSON.parse(JSON.stringify(input)),
      error: { code: 'MAPPING_FAILED', message: 'mapping threw: boom' },
      attempts: 8,
      connector: 'crm',
    });
  });

  it('publishes nothing for an empty list', async () => {
    const { publisher } = await setup();
    await expect(publisher.publish([])).resolves.toBeUndefined();
  });
});

describe('topic admin', () => {
  it('creates topics with the configured partitions once, and is a no-op the second time', async () => {
    const { log, records } = captureLog('info');
    const kafka = createKafkaClient({ brokers: kafkaBrokers(), clientId: uniqueName('admin'), log });
    const topics = [uniqueName('t'), uniqueName('t')];
    onTestFinished(async () => {
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics }).catch(() => undefined);
      await admin.disconnect();
    });
    expect(await ensureTopics(kafka, topics, { partitions: 4, replicationFactor: 1 }, log)).toEqual({
      created: topics,
    });
    expect(
      await ensureTopics(kafka, [...topics, topics[0] ?? ''], { partitions: 4, replicationFactor: 1 }, log),
    ).toEqual({
      created: [],
    });
    const admin = kafka.admin();
    await admin.connect();
    const { topics: meta } = await admin.fetchTopicMetadata({ topics });
    await admin.disconnect();
    expect(meta.map((t) => t.partitions.length)).toEqual([4, 4]);

    await ensureTopics(kafka, topics, { partitions: 8, replicationFactor: 1 }, log);
    expect(
      records().some((l) => l.msg === 'topic has fewer partitions than configured' && l.configured === 8),
    ).toBe(true);
  });
});

import { describe, expect, it, onTestFinished } from 'vitest';
import { RedisDeadLetterOutbox } from '../../../src/kafka/dead-letter-outbox.ts';
import { DurableDeadLetterPublisher } from '../../../src/kafka/durable-dead-letter-publisher.ts';
import type { DeadLetter, EventPublisher } from '../../../src/kafka/event-publisher.ts';
import { createKafkaClient } from '../../../src/kafka/kafka-client.ts';
import { KafkaEventPublisher } from '../../../src/kafka/kafka-event-publisher.ts';
import { ensureTopics } from '../../../src/kafka/topic-admin.ts';
import { createLogger } from '../../../src/logger.ts';
import { deleteKeysWithPrefix } from '../../helpers/redis-keys.ts';
import { kafkaBrokers, testRedis, uniqueName } from '../../helpers/services.ts';
import { readBack, testKafka } from './read-back.ts';

const log = createLogger({ level: 'silent' });

const letter = (n: number): DeadLetter => ({
  queue: 'jira-changes',
  jobId: `job-${n}`,
  key: `acme.atlassian.net:${10_000 + n}`,
  input: { change: { n } },
  error: { code: 'MAPPING_FAILED', message: `mapping ${n} threw`, retryable: false },
  attempts: 1,
  failedAt: Date.parse('2024-03-01T10:00:00.000Z'),
});

/** A dead-letter topic, Kafka publishers to it (a closed one refuses everything) and one outbox. */
async function setup() {
  const redis = testRedis();
  const prefix = uniqueName('dlq-outbox');
  const kafka = createKafkaClient({ brokers: kafkaBrokers(), clientId: uniqueName('dlq'), log });
  const dlqTopic = uniqueName('dlq');
  await ensureTopics(kafka, [dlqTopic], { partitions: 1, replicationFactor: 1 }, log);
  const kafkaPublisher = (closed: boolean) => {
    const publisher = new KafkaEventPublisher({
      kafka,
      dlqTopic,
      lingerMs: 2,
      maxBatchMessages: 100,
      retryMaxDelayMs: 1000,
      publishTimeoutMs: 5000,
      maxPendingMessages: 100,
      log,
    });
    onTestFinished(() => publisher.close());
    return closed ? publisher.close().then(() => publisher) : publisher.connect().then(() => publisher);
  };
  const outbox = new RedisDeadLetterOutbox(redis, { prefix, maxPending: 100 });
  // publishTimeoutMs 0: a recorded letter is due for a re-send at once.
  const durable = (inner: EventPublisher) =>
    new DurableDeadLetterPublisher({ inner, outbox, publishTimeoutMs: 0, log });
  onTestFinished(async () => {
    await deleteKeysWithPrefix(redis, prefix);
    const admin = testKafka(kafkaBrokers()).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [dlqTopic] }).catch(() => undefined);
    await admin.disconnect();
  });
  return { redis, prefix, outbox, dlqTopic, kafkaPublisher, durable };
}

describe('DurableDeadLetterPublisher on real Redis and Kafka', () => {
  it('records a dead letter in Redis before sending it, sends it with its id, and removes it once acked', async () => {
    const { outbox, dlqTopic, kafkaPublisher, durable } = await setup();
    const kafka = await kafkaPublisher(false);
    const recordedWhenSent: number[] = [];
    const watching: EventPublisher = {
      publish: (events) => kafka.publish(events),
      publishDeadLetter: async (l) => {
        recordedWhenSent.push(await outbox.count());
        await kafka.publishDeadLetter(l);
      },
      close: () => kafka.close(),
    };
    await durable(watching).publishDeadLetter(letter(1));

    expect(recordedWhenSent).toEqual([1]);
    expect(await outbox.count()).toBe(0);
    const [message] = await readBack(testKafka(kafkaBrokers()), dlqTopic, 1);
    expect(message?.key).toBe('acme.atlassian.net:10001');
    expect(message?.headers['x-relay-dead-letter-id']).toMatch(/^\d+-\d+$/);
    expect(JSON.parse(message?.value ?? '')).toMatchObject({
      id: message?.headers['x-relay-dead-letter-id'],
      input: { change: { n: 1 } },
      error: { code: 'MAPPING_FAILED' },
    });
  });

  it('keeps a letter Kafka refused in Redis, and a later re-send delivers it once, with the id it was recorded under', async () => {
    const { outbox, dlqTopic, kafkaPublisher, durable } = await setup();
    // The process that failed the job: its publisher refuses (Kafka away, or shutting down).
    await durable(await kafkaPublisher(true)).publishDeadLetter(letter(2));
    const [recorded] = await outbox.oldest(10, Date.now() + 1);
    expect(recorded?.letter).toEqual(letter(2));

    // Another process, with Kafka back: the maintenance job's re-send.
    const resender = durable(await kafkaPublisher(false));
    expect(await resender.resendPending()).toEqual({ resent: 1, pending: 0, busy: false });
    expect(await resender.resendPending()).toEqual({ resent: 0, pending: 0, busy: false });
    const read = await readBack(testKafka(kafkaBrokers()), dlqTopic, 1, { quietMs: 1000 });
    expect(read.map((m) => m.headers['x-relay-dead-letter-id'])).toEqual([recorded?.id]);
  });

  it('re-sends letters left behind when the next dead letter gets through, oldest first', async () => {
    const { outbox, dlqTopic, kafkaPublisher, durable } = await setup();
    const refusing = durable(await kafkaPublisher(true));
    await refusing.publishDeadLetter(letter(3));
    await refusing.publishDeadLetter(letter(4));
    expect(await outbox.count()).toBe(2);

    await durable(await kafkaPublisher(false)).publishDeadLetter(letter(5));
    expect(await outbox.count()).toBe(0);
    const read = await readBack(testKafka(kafkaBrokers()), dlqTopic, 3, { quietMs: 1000 });
    expect(read.map((m) => JSON.parse(m.value).jobId)).toEqual(['job-5', 'job-3', 'job-4']);
  });

  it('re-sends from one process at a time', async () => {
    const { outbox, kafkaPublisher, durable } = await setup();
    await durable(await kafkaPublisher(true)).publishDeadLetter(letter(6));
    const lease = await outbox.tryLease(10_000);
    expect(lease).not.toBeNull();
    const resender = durable(await kafkaPublisher(false));
    expect(await resender.resendPending()).toEqual({ resent: 0, pending: 1, busy: true });
    await lease?.release();
    expect(await resender.resendPending()).toMatchObject({ resent: 1, pending: 0 });
  });

  it('caps the outbox: past DEAD_LETTER_MAX_PENDING the oldest letter is dropped, and the write says so', async () => {
    const { redis, prefix } = await setup();
    const outbox = new RedisDeadLetterOutbox(redis, { prefix: `${prefix}:capped`, maxPending: 2 });
    expect(await outbox.record(letter(7))).toMatchObject({ pending: 1, dropped: false });
    expect(await outbox.record(letter(8))).toMatchObject({ pending: 2, dropped: false });
    expect(await outbox.record(letter(9))).toMatchObject({ pending: 2, dropped: true });
    const left = await outbox.oldest(10, Date.now() + 1);
    expect(left.map((r) => r.letter.jobId)).toEqual(['job-8', 'job-9']);
  });
});

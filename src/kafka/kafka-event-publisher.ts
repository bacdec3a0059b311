import { type Kafka, Partitioners, type Producer, type TopicMessages } from 'kafkajs';
import type { RelayEvent } from '../../connectors/relay-event.ts';
import { RelayError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { type OutgoingMessage, toDeadLetterMessage, toKafkaMessage } from './cloud-event-message.ts';
import type { DeadLetter, EventPublisher } from './event-publisher.ts';

export interface KafkaEventPublisherOptions {
  readonly kafka: Kafka;
  readonly dlqTopic: string;
  /** How long the first message of a batch waits for company (KAFKA_LINGER_MS). */
  readonly lingerMs: number;
  /** Most messages per produce request (KAFKA_BATCH_MAX_MESSAGES). */
  readonly maxBatchMessages: number;
  /** Longest pause between retries of a failed produce (KAFKA_RETRY_MAX_DELAY_MS). */
  readonly retryMaxDelayMs: number;
  readonly log: Logger;
}

/** One publish call: its messages go out in one batch and settle together. */
interface Entry {
  readonly messages: readonly { readonly topic: string; readonly message: OutgoingMessage }[];
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/**
 * The Kafka adapter of EventPublisher: an idempotent producer (acks=all, one request in flight per
 * connection, so retries neither duplicate nor reorder), with calls gathered for `lingerMs` into
 * one produce request. A call resolves only when the broker acknowledged its messages. Requests go
 * out one at a time; calls made meanwhile form the next batch.
 */
export class KafkaEventPublisher implements EventPublisher {
  readonly #producer: Producer;
  readonly #opts: KafkaEventPublisherOptions;
  readonly #log: Logger;
  #queue: Entry[] = [];
  #queued = 0;
  #timer: NodeJS.Timeout | undefined;
  #sending: Promise<void> | undefined;
  #closed = false;

  constructor(opts: KafkaEventPublisherOptions) {
    this.#opts = opts;
    this.#log = opts.log.child({ component: 'publisher' });
    this.#producer = opts.kafka.producer({
      // Named, not defaulted: murmur2 like the Java client, so a key lands on the partition other
      // producers of these topics pick (and kafkajs stops warning about its changed default).
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
      // The idempotent producer retries without end (kafkajs requires it); this only caps the pause.
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: opts.retryMaxDelayMs },
    });
  }

  connect(): Promise<void> {
    return this.#producer.connect();
  }

  publish(events: readonly RelayEvent[]): Promise<void> {
    return this.#enqueue(events.map((event) => ({ topic: event.topic, message: toKafkaMessage(event) })));
  }

  publishDeadLetter(letter: DeadLetter): Promise<void> {
    return this.#enqueue([{ topic: this.#opts.dlqTopic, message: toDeadLetterMessage(letter) }]);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#sending || this.#queue.length > 0) {
      await (this.#sending ?? this.#flush());
    }
    await this.#producer.disconnect();
  }

  #enqueue(messages: Entry['messages']): Promise<void> {
    if (this.#closed) {
      return Promise.reject(
        new RelayError('UNAVAILABLE', 'the event publisher is closed', { retryable: true }),
      );
    }
    if (messages.length === 0) return Promise.resolve();
    const done = Promise.withResolvers<void>();
    this.#queue.push({ messages, resolve: done.resolve, reject: done.reject });
    this.#queued += messages.length;
    this.#schedule();
    return done.promise;
  }

  #schedule(): void {
    if (this.#sending || this.#queue.length === 0) return;
    if (this.#queued >= this.#opts.maxBatchMessages) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      void this.#flush();
    } else {
      this.#timer ??= setTimeout(() => {
        this.#timer = undefined;
        void this.#flush();
      }, this.#opts.lingerMs);
    }
  }

  /** Sends one batch; the next is scheduled as soon as the broker answered this one. */
  #flush(): Promise<void> {
    const batch = this.#takeBatch();
    const sending = this.#send(batch).finally(() => {
      this.#sending = undefined;
      if (!this.#closed) this.#schedule();
    });
    this.#sending = sending;
    return sending;
  }

  #takeBatch(): Entry[] {
    const batch: Entry[] = [];
    let count = 0;
    while (this.#queue.length > 0) {
      const next = this.#queue[0] as Entry;
      if (batch.length > 0 && count + next.messages.length > this.#opts.maxBatchMessages) break;
      batch.push(next);
      count += next.messages.length;
      this.#queue.shift();
    }
    this.#queued -= count;
    return batch;
  }

  async #send(batch: readonly Entry[]): Promise<void> {
    try {
      await this.#producer.sendBatch({ topicMessages: topicMessagesOf(batch), acks: -1 });
      for (const entry of batch) entry.resolve();
    } catch (err) {
      // The producer retries what can pass (a broker away) without end, so what reaches here was
      // refused for good, possibly for one message (too large, say). Each call then goes on its own,
      // so that one bad message fails only its own publish, not the calls batched with it.
      if (batch.length > 1) {
        for (const entry of batch) await this.#send([entry]);
        return;
      }
      this.#log.warn({ err, messages: batch[0]?.messages.length }, 'kafka publish failed');
      const failure = new RelayError(
        'KAFKA_PUBLISH_FAILED',
        `kafka publish failed: ${(err as Error).message}`,
        {
          retryable: true,
          cause: err,
        },
      );
      for (const entry of batch) entry.reject(failure);
    }
  }
}

function topicMessagesOf(batch: readonly Entry[]): TopicMessages[] {
  const byTopic = new Map<string, OutgoingMessage[]>();
  for (const entry of batch) {
    for (const { topic, message } of entry.messages) {
      const list = byTopic.get(topic) ?? [];
      list.push(message);
      byTopic.set(topic, list);
    }
  }
  return [...byTopic].map(([topic, messages]) => ({
    topic,
    messages: messages.map((m) => ({ key: m.key, value: m.value, headers: { ...m.headers } })),
  }));
}

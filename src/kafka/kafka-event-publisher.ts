import { type Kafka, Partitioners, type Producer, type TopicMessages } from 'kafkajs';
import type { RelayEvent } from '../../connectors/relay-event.ts';
import { RelayError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { type OutgoingMessage, toDeadLetterMessage, toKafkaMessage } from './cloud-event-message.ts';
import type { DeadLetter, EventPublisher } from './event-publisher.ts';
import { type PendingPublish, PendingPublishes, type TopicMessage } from './pending-publishes.ts';
import { PublishRefusedError } from './publish-refused-error.ts';

export interface KafkaEventPublisherOptions {
  readonly kafka: Kafka;
  readonly dlqTopic: string;
  /** How long the first message of a batch waits for company (KAFKA_LINGER_MS). */
  readonly lingerMs: number;
  /** Most messages per produce request (KAFKA_BATCH_MAX_MESSAGES). */
  readonly maxBatchMessages: number;
  /** Longest pause between retries of a failed produce (KAFKA_RETRY_MAX_DELAY_MS). */
  readonly retryMaxDelayMs: number;
  /** How long a publish may wait for its batch before it is withdrawn (KAFKA_PUBLISH_TIMEOUT_MS). */
  readonly publishTimeoutMs: number;
  /** Most messages waiting or in flight; more are refused (KAFKA_PUBLISH_MAX_PENDING). */
  readonly maxPendingMessages: number;
  readonly log: Logger;
}

/**
 * The Kafka adapter of EventPublisher: an idempotent producer (acks=all, one request in flight per
 * connection, so retries neither duplicate nor reorder), with calls gathered for `lingerMs` into
 * one produce request. A call resolves only when the broker acknowledged its messages. Requests go
 * out one at a time; calls made meanwhile form the next batch.
 *
 * What waits is bounded. A call that waits longer than `publishTimeoutMs` for its batch is withdrawn
 * and rejected; while the request in flight has gone unanswered that long (the broker is away),
 * and while `maxPendingMessages` are waiting or in flight, new calls are refused at once. Each of
 * these rejects with a retryable PublishRefusedError, and none of those messages was handed to
 * kafkajs. A request that was handed over is never abandoned: its calls settle when kafkajs does
 * (acked; or failed, `unreachable` when kafkajs gave up reaching the broker). Giving up on it
 * earlier could let its older versions land after newer ones published meanwhile, and kafkajs
 * would reuse its sequence numbers for the next request, which the broker could then drop as a
 * duplicate.
 */
export class KafkaEventPublisher implements EventPublisher {
  readonly #producer: Producer;
  readonly #opts: KafkaEventPublisherOptions;
  readonly #log: Logger;
  readonly #pending: PendingPublishes;
  #inFlight = 0;
  /** performance.now() when the request in flight was sent; undefined when none is. */
  #sentAt: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #sending: Promise<void> | undefined;
  #closed = false;

  constructor(opts: KafkaEventPublisherOptions) {
    this.#opts = opts;
    this.#log = opts.log.child({ component: 'publisher' });
    this.#pending = new PendingPublishes(opts.publishTimeoutMs, (publish) =>
      publish.reject(
        new PublishRefusedError('timeout', `kafka publish not sent within ${opts.publishTimeoutMs} ms`),
      ),
    );
    this.#producer = opts.kafka.producer({
      // Named, not defaulted: murmur2 like the Java client, so a key lands on the partition other
      // producers of these topics pick (and kafkajs stops warning about its changed default).
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
      // The idempotent producer retries a failed request without end (kafkajs requires it); this
      // only caps the pause. It still gives up when it cannot reach the broker: see #send.
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: opts.retryMaxDelayMs },
    });
  }

  /** Messages waiting for a batch or in the request in flight. */
  get pendingMessages(): number {
    return this.#pending.messages + this.#inFlight;
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
    while (this.#sending || this.#pending.size > 0) {
      await (this.#sending ?? this.#flush());
    }
    await this.#producer.disconnect();
  }

  #enqueue(messages: readonly TopicMessage[]): Promise<void> {
    const refusal = this.#refusal(messages.length);
    if (refusal) return Promise.reject(refusal);
    if (messages.length === 0) return Promise.resolve();
    const done = Promise.withResolvers<void>();
    this.#pending.add(messages, done.resolve, done.reject);
    this.#schedule();
    return done.promise;
  }

  #refusal(count: number): PublishRefusedError | undefined {
    if (this.#closed) return new PublishRefusedError('closed', 'the event publisher is closed');
    const { publishTimeoutMs, maxPendingMessages } = this.#opts;
    if (this.#sentAt !== undefined && performance.now() - this.#sentAt > publishTimeoutMs) {
      return new PublishRefusedError('unavailable', `kafka has not answered for over ${publishTimeoutMs} ms`);
    }
    const pending = this.pendingMessages;
    // One publish larger than the cap still goes when nothing else waits, or it could never go.
    if (pending > 0 && pending + count > maxPendingMessages) {
      return new PublishRefusedError('full', `${pending} kafka messages are pending already`);
    }
    return undefined;
  }

  #schedule(): void {
    if (this.#sending || this.#pending.size === 0) return;
    if (this.#pending.messages >= this.#opts.maxBatchMessages) {
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
    const batch = this.#pending.take(this.#opts.maxBatchMessages);
    if (batch.length === 0) return Promise.resolve();
    this.#inFlight = batch.reduce((sum, publish) => sum + publish.messages.length, 0);
    this.#sentAt = performance.now();
    const sending = this.#send(batch).finally(() => {
      this.#sending = undefined;
      this.#inFlight = 0;
      this.#sentAt = undefined;
      if (!this.#closed) this.#schedule();
    });
    this.#sending = sending;
    return sending;
  }

  async #send(batch: readonly PendingPublish[]): Promise<void> {
    try {
      await this.#producer.sendBatch({ topicMessages: topicMessagesOf(batch), acks: -1 });
      for (const publish of batch) publish.resolve();
    } catch (err) {
      // kafkajs stops retrying when it cannot reach the broker at all: every call waits for Kafka.
      if (isTransient(err)) {
        this.#log.warn({ err, publishes: batch.length }, 'kafka unreachable: publishes given back');
        const refusal = new PublishRefusedError('unreachable', `kafka unreachable: ${messageOf(err)}`, err);
        for (const publish of batch) publish.reject(refusal);
        return;
      }
      // Anything else was refused for good, possibly for one message (too large, say). Each call
      // then goes on its own, so that one bad message fails only its own publish.
      if (batch.length > 1) {
        for (const publish of batch) await this.#send([publish]);
        return;
      }
      this.#log.warn({ err, messages: batch[0]?.messages.length }, 'kafka publish failed');
      const failure = new RelayError('KAFKA_PUBLISH_FAILED', `kafka publish failed: ${messageOf(err)}`, {
        retryable: true,
        cause: err,
      });
      for (const publish of batch) publish.reject(failure);
    }
  }
}

/** kafkajs gave up on a failure it calls retriable itself (connection refused or lost, timeouts). */
function isTransient(err: unknown): boolean {
  let current = err;
  for (let depth = 0; current instanceof Error && depth < 8; depth++) {
    if ((current as { retriable?: unknown }).retriable === true) return true;
    current = current.cause;
  }
  return false;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function topicMessagesOf(batch: readonly PendingPublish[]): TopicMessages[] {
  const byTopic = new Map<string, OutgoingMessage[]>();
  for (const publish of batch) {
    for (const { topic, message } of publish.messages) {
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

import type { Kafka, Producer } from 'kafkajs';
import type { OutgoingMessage } from './cloud-event-message.ts';

export interface CommandResultProducerOptions {
  readonly kafka: Kafka;
  /** KAFKA_COMMAND_RESULTS_TOPIC. */
  readonly topic: string;
  /** KAFKA_PUBLISH_TIMEOUT_MS: a result unacknowledged this long fails, and its command is answered again. */
  readonly timeoutMs: number;
}

/**
 * Publishes command results: an idempotent producer, acks=all, one message per call, resolved once
 * the broker acknowledged it. Results are few next to change events (one per command), and each
 * command waits for its own result before its offset is committed, so no batching is needed here.
 */
export class CommandResultProducer {
  readonly #o: CommandResultProducerOptions;
  readonly #producer: Producer;

  constructor(opts: CommandResultProducerOptions) {
    this.#o = opts;
    this.#producer = opts.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
  }

  connect(): Promise<void> {
    return this.#producer.connect();
  }

  async publish(message: OutgoingMessage): Promise<void> {
    await this.#producer.send({
      topic: this.#o.topic,
      acks: -1,
      timeout: this.#o.timeoutMs,
      messages: [{ key: message.key, value: message.value, headers: { ...message.headers } }],
    });
  }

  close(): Promise<void> {
    return this.#producer.disconnect();
  }
}

import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { SchemaViolations } from './event-schemas.ts';
import { uniqueName } from './services.ts';

export interface ReadEvent {
  readonly topic: string;
  readonly key: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly data: Record<string, unknown>;
}

/**
 * Reads topics from the beginning into memory, as a downstream consumer would, so tests can wait
 * for events and assert on their CloudEvents headers, key and data. Every message read is checked
 * against its JSON Schema (docs/schemas/): `waitFor` and `stop` throw once one broke it.
 */
export class KafkaReader {
  readonly events: ReadEvent[] = [];
  readonly #consumer: Consumer;
  readonly #violations = new SchemaViolations();

  private constructor(consumer: Consumer) {
    this.#consumer = consumer;
  }

  static async start(brokers: string[], topics: string[]): Promise<KafkaReader> {
    const kafka = new Kafka({ clientId: 'test-reader', brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin
      .createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 3 })), waitForLeaders: true })
      .catch(async (err: unknown) => {
        // A broker that just started may answer the leader wait with UNKNOWN_TOPIC_OR_PARTITION for
        // a topic it did create; the consumer below waits for the leaders itself.
        const listed = new Set(await admin.listTopics());
        if (!topics.every((t) => listed.has(t))) throw err;
      });
    await admin.disconnect();
    const consumer = kafka.consumer({ groupId: uniqueName('reader') });
    const reader = new KafkaReader(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        reader.#violations.check(topic, headers, String(message.value));
        reader.events.push({
          topic,
          key: String(message.key),
          headers,
          data: JSON.parse(String(message.value)),
        });
      },
    });
    return reader;
  }

  /** Waits until `predicate` holds for the events read so far; returns them. Throws on a schema break. */
  async waitFor(
    predicate: (events: readonly ReadEvent[]) => boolean,
    timeoutMs = 20_000,
  ): Promise<ReadEvent[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Before the predicate: an event it sees was checked when it was read.
      this.#violations.throwIfAny();
      if (predicate(this.events)) return [...this.events];
      if (Date.now() > deadline) {
        throw new Error(
          `timed out; read ${this.events.length} events: ${this.events.map((e) => e.headers.ce_type).join(', ')}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Disconnects; then throws if any event read broke its schema, so no test reading one passes. */
  async stop(): Promise<void> {
    await this.#consumer.disconnect();
    this.#violations.throwIfAny();
  }
}

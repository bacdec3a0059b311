import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { uniqueName } from '../../helpers/services.ts';

export interface TailEvent {
  readonly topic: string;
  readonly key: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly data: Record<string, unknown>;
}

/**
 * Reads shared topics (the relay's default ones, which outlive test runs) from their ends as they
 * were when it started: what earlier runs left there is not this test's business.
 */
export class TopicTail {
  readonly events: TailEvent[] = [];
  readonly #consumer: Consumer;

  private constructor(consumer: Consumer) {
    this.#consumer = consumer;
  }

  static async start(brokers: string[], topics: string[]): Promise<TopicTail> {
    const kafka = new Kafka({ clientId: 'test-tail', brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics({
        topics: missing.map((topic) => ({ topic, numPartitions: 3 })),
        waitForLeaders: true,
      });
    }
    const ends = await Promise.all(
      topics.map(async (topic) => ({ topic, offsets: await admin.fetchTopicOffsets(topic) })),
    );
    await admin.disconnect();
    const consumer = kafka.consumer({ groupId: uniqueName('tail') });
    const tail = new TopicTail(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        tail.events.push({
          topic,
          key: String(message.key),
          headers,
          data: JSON.parse(String(message.value)),
        });
      },
    });
    for (const { topic, offsets } of ends) {
      for (const { partition, high } of offsets) consumer.seek({ topic, partition, offset: high });
    }
    return tail;
  }

  /** Waits until `predicate` holds for the events read so far; returns them. */
  async waitFor(
    predicate: (events: readonly TailEvent[]) => boolean,
    timeoutMs = 30_000,
  ): Promise<TailEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.events)) {
      if (Date.now() > deadline) throw new Error(`timed out; read ${this.events.length} events`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return [...this.events];
  }

  async stop(): Promise<void> {
    await this.#consumer.disconnect();
  }
}

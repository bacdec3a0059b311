import { randomBytes } from 'node:crypto';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { waitUntil } from './processes.ts';

/** One message as a consumer sees it: where it sits, its CloudEvents headers and its JSON data. */
export interface ReadMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** The message's Kafka timestamp (when the relay produced it), epoch ms. */
  readonly timestamp: number;
  readonly key: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly data: Record<string, unknown>;
}

/**
 * Reads the topics from the beginning, as a new downstream consumer would, and keeps reading until
 * stopped; `messages` grows as they arrive, in each partition's order.
 */
export class TopicReader {
  readonly messages: ReadMessage[] = [];
  readonly #kafka: Kafka;
  readonly #consumer: Consumer;
  readonly #topics: readonly string[];
  #crashed: string | undefined;

  private constructor(kafka: Kafka, consumer: Consumer, topics: readonly string[]) {
    this.#kafka = kafka;
    this.#consumer = consumer;
    this.#topics = topics;
  }

  static async start(brokers: string, topics: readonly string[]): Promise<TopicReader> {
    const kafka = new Kafka({ clientId: 'chaos-reader', brokers: [brokers], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `chaos-reader-${randomBytes(4).toString('hex')}` });
    const reader = new TopicReader(kafka, consumer, topics);
    consumer.on(consumer.events.CRASH, (e) => {
      reader.#crashed = String(e.payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        let data: Record<string, unknown> = {};
        try {
          data = JSON.parse(String(message.value)) as Record<string, unknown>;
        } catch {
          data = { unparsable: String(message.value) };
        }
        reader.messages.push({
          topic,
          partition,
          offset: Number(message.offset),
          timestamp: Number(message.timestamp),
          key: String(message.key),
          headers,
          data,
        });
      },
    });
    return reader;
  }

  /** Waits until every message produced so far (the end offsets now) has been read. */
  async waitCaughtUp(timeoutMs = 60_000): Promise<void> {
    const admin = this.#kafka.admin();
    await admin.connect();
    const ends = new Map<string, number>();
    try {
      for (const topic of this.#topics) {
        for (const p of await admin.fetchTopicOffsets(topic))
          ends.set(`${topic}/${p.partition}`, Number(p.high));
      }
    } finally {
      await admin.disconnect();
    }
    await waitUntil(
      'reader caught up',
      () => {
        const next = new Map<string, number>();
        for (const m of this.messages) next.set(`${m.topic}/${m.partition}`, m.offset + 1);
        return [...ends].every(([tp, high]) => (next.get(tp) ?? 0) >= high);
      },
      { timeoutMs, abort: () => this.#crashed },
    );
  }

  /** Why the consumer gave up, if it did. */
  get crashed(): string | undefined {
    return this.#crashed;
  }

  async stop(): Promise<void> {
    await this.#consumer.disconnect();
  }
}

/** How many messages a topic holds (the sum of its partitions' end offsets). */
export async function topicMessageCount(brokers: string, topic: string): Promise<number> {
  const kafka = new Kafka({ clientId: 'chaos-count', brokers: [brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

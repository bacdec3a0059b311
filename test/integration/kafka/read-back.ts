import { type Kafka, Kafka as KafkaClient, logLevel } from 'kafkajs';
import { onTestFinished } from 'vitest';
import { SchemaViolations } from '../../helpers/event-schemas.ts';
import { uniqueName } from '../../helpers/services.ts';

export interface ReadMessage {
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly partition: number;
  readonly offset: string;
}

/** A quiet kafkajs client for tests (the product's client logs into pino). */
export function testKafka(brokers: string[]): Kafka {
  return new KafkaClient({ clientId: uniqueName('test'), brokers, logLevel: logLevel.NOTHING });
}

/**
 * Reads a topic from the beginning with a fresh consumer group until `count` messages arrived (or
 * `quietMs` passed without a new one after that, to catch extras), as a downstream consumer would.
 * Throws when a message read breaks its JSON Schema (docs/schemas/).
 */
export async function readBack(
  kafka: Kafka,
  topic: string,
  count: number,
  opts: { timeoutMs?: number; quietMs?: number } = {},
): Promise<ReadMessage[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('read-back'), allowAutoTopicCreation: false });
  onTestFinished(() => consumer.disconnect());
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const messages: ReadMessage[] = [];
  const violations = new SchemaViolations();
  const { promise, resolve, reject } = Promise.withResolvers<ReadMessage[]>();
  let quiet: NodeJS.Timeout | undefined;
  const deadline = setTimeout(
    () => reject(new Error(`read ${messages.length} of ${count} messages from ${topic}`)),
    opts.timeoutMs ?? 20_000,
  );
  await consumer.run({
    eachMessage: async ({ message, partition }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
      violations.check(topic, headers, String(message.value));
      messages.push({
        key: String(message.key),
        value: String(message.value),
        headers,
        partition,
        offset: message.offset,
      });
      if (messages.length >= count) {
        clearTimeout(quiet);
        quiet = setTimeout(() => resolve(messages), opts.quietMs ?? 300);
      }
    },
  });
  try {
    const read = await promise;
    violations.throwIfAny();
    return read;
  } finally {
    clearTimeout(deadline);
    clearTimeout(quiet);
    await consumer.disconnect();
  }
}

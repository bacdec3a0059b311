import { createKafkaClient } from '../../../src/kafka/kafka-client.ts';
import { KafkaEventPublisher } from '../../../src/kafka/kafka-event-publisher.ts';
import type { Logger } from '../../../src/logger.ts';
import { kafkaBrokers, uniqueName } from '../../helpers/services.ts';

/** The relay's Kafka publisher on the test broker, connected, after `topics` exist (a DLQ of its own). */
export async function startTestPublisher(topics: string[], clientId: string, log: Logger) {
  const kafka = createKafkaClient({ brokers: kafkaBrokers(), clientId, log });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: topics.map((topic) => ({ topic })), waitForLeaders: true });
  await admin.disconnect();
  const publisher = new KafkaEventPublisher({
    kafka,
    dlqTopic: uniqueName('dlq'),
    lingerMs: 2,
    maxBatchMessages: 100,
    retryMaxDelayMs: 500,
    publishTimeoutMs: 10_000,
    maxPendingMessages: 10_000,
    log,
  });
  await publisher.connect();
  return publisher;
}

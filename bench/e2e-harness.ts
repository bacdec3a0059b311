import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { deleteKeysAt } from '../test/helpers/redis-keys.ts';
import { type Deployment, relayDeployment } from './e2e-processes.ts';
import { startReader } from './e2e-reader.ts';
import { closeGenerator } from './e2e-step.ts';

/**
 * What an end-to-end run stands on: two fresh connector topics (6 partitions), the one reader of
 * both, and a relay deployment (environment, key prefix, connectors file) that the relay's
 * processes and the bare pipeline share. `close` removes the topics, the keys and the files.
 */
export async function openHarness() {
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',');
  const secret = 'bench-admin-webhook-secret';
  const runTag = randomBytes(3).toString('hex');
  const topics = { crm: `bench-crm-${runTag}`, monitoring: `bench-mon-${runTag}` };
  const kafka = new Kafka({ clientId: 'bench-reader', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [topics.crm, topics.monitoring].map((topic) => ({ topic, numPartitions: 6 })),
    waitForLeaders: true,
  });
  const deployment: Deployment = relayDeployment({ topics, redisUrl, brokers, secret });
  const reader = await startReader(kafka, topics);
  return {
    redisUrl,
    secret,
    runTag,
    topics,
    deployment,
    arrivals: reader.arrivals,
    async close(): Promise<void> {
      await reader.stop();
      await deleteKeysAt(redisUrl, deployment.prefix);
      deployment.cleanup();
      // The relay created its dead-letter topic itself; it goes too.
      await admin
        .deleteTopics({ topics: [topics.crm, topics.monitoring, deployment.dlqTopic] })
        .catch(() => undefined);
      await admin.disconnect();
      closeGenerator();
    },
  };
}

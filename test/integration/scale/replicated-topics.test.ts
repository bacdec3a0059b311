import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTopics } from '../../../src/kafka/topic-admin.ts';
import { captureLog } from '../../helpers/log-capture.ts';
import { uniqueName } from '../../helpers/services.ts';
import { canRunBroker } from '../kafka/own-broker.ts';

const run = promisify(execFile);
const script = path.resolve(import.meta.dirname, '../../infra/kafka-cluster.sh');
// Ports of this test's own cluster, away from the default cluster's and the own-broker range.
const env = { ...process.env, KAFKA_CLUSTER_PORT: '19492', KAFKA_CLUSTER_NAME: 'replicated-topics' };
const brokers = ['127.0.0.1:19492', '127.0.0.1:19494', '127.0.0.1:19496'];
const cluster = (...args: string[]) => run('bash', [script, ...args], { env, timeout: 180_000 });

describe.skipIf(!canRunBroker)(
  'topics on a 3-node Kafka: replication factor 3, min.insync.replicas 2',
  () => {
    const kafka = new Kafka({ clientId: 'replicated-topics', brokers, logLevel: logLevel.NOTHING });

    beforeAll(() => cluster('start'), 200_000);
    afterAll(() => cluster('stop'), 120_000);

    it('creates them as configured, reports one under-replicated while a node is down, and still takes acks=all', async () => {
      const topic = uniqueName('replicated');
      const { log, records } = captureLog('info');
      await ensureTopics(kafka, [topic], { partitions: 3, replicationFactor: 3, minInsyncReplicas: 2 }, log);
      const admin = kafka.admin();
      await admin.connect();
      const described = await admin.describeConfigs({
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['min.insync.replicas'] }],
        includeSynonyms: false,
      });
      expect(described.resources[0]?.configEntries[0]?.configValue).toBe('2');
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(meta.topics[0]?.partitions.map((p) => p.replicas.length)).toEqual([3, 3, 3]);
      await admin.disconnect();

      await cluster('stop-node', '3');
      await ensureTopics(kafka, [topic], { partitions: 3, replicationFactor: 3, minInsyncReplicas: 2 }, log);
      expect(records().find((r) => r.msg === 'topic is under-replicated')).toMatchObject({ topic });
      const producer = kafka.producer({ idempotent: true });
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'with one node down' }] });
      await producer.disconnect();
      await cluster('start-node', '3');
    }, 240_000);
  },
);

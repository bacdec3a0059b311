import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { kafkaBrokers, uniqueName } from '../../helpers/services.ts';

describe('kafkajs on the real broker', () => {
  it('creates a topic, produces and consumes in a group with key and headers intact', async () => {
    const kafka = new Kafka({ clientId: 'smoke', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
    const topic = uniqueName('smoke');
    const admin = kafka.admin();
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    const consumer = kafka.consumer({ groupId: uniqueName('smoke-group') });
    onTestFinished(async () => {
      await consumer.disconnect();
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    });

    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })).toBe(
      true,
    );
    expect(await admin.listTopics()).toContain(topic);

    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: [
        {
          key: 'acme.atlassian.net:10042',
          value: '{"hello":"kafka"}',
          headers: { ce_id: 'abc', ce_type: 't' },
        },
      ],
    });

    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = await new Promise<{ key: string; value: string; headers: Record<string, string> }>(
      (resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => {
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
            resolve({ key: String(message.key), value: String(message.value), headers });
          },
        });
      },
    );

    expect(received).toEqual({
      key: 'acme.atlassian.net:10042',
      value: '{"hello":"kafka"}',
      headers: { ce_id: 'abc', ce_type: 't' },
    });
  });
});

/**
 * The bare pipeline: the floor the relay's architecture allows on this machine, started by
 * bench/e2e-latency.ts as a child process with the relay's own environment (`node
 * bench/bare-pipeline/main.ts`). A Fastify route checks a delivery's X-Hub-Signature, parses it and
 * adds one BullMQ job; a BullMQ worker (the relay's WORKER_CONCURRENCY) produces its two messages to
 * Kafka with acks=all. Serves /readyz and /metrics (resident memory, publish-to-ack histogram) on
 * PORT like the relay. BARE_TOPICS: `<crm topic>,<monitoring topic>`.
 */
import { Queue } from 'bullmq';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { loadConfig } from '../../config/index.ts';
import { defaultJobOptions } from '../../src/queues/job-options.ts';
import { type BareJob, bareIntakeApp } from './intake-route.ts';
import { startPublishWorker } from './publish-worker.ts';

const config = loadConfig(process.env);
const [crm = '', monitoring = ''] = (process.env.BARE_TOPICS ?? '').split(',');
const secret = config.JIRA_WEBHOOK_SECRET;
if (!crm || !monitoring || !secret)
  throw new Error('BARE_TOPICS (two topics) and JIRA_WEBHOOK_SECRET are needed');
const queueName = 'bare-deliveries';

const registry = new Registry();
collectDefaultMetrics({ register: registry });
const publishSeconds = new Histogram({
  name: 'jira_relay_kafka_publish_seconds',
  help: 'Time from publish to the broker acknowledging (acks=all).',
  labelNames: ['kind'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

const queue = new Queue<BareJob>(queueName, {
  connection: { url: config.REDIS_URL, enableOfflineQueue: false },
  prefix: config.QUEUE_PREFIX,
  defaultJobOptions: defaultJobOptions(config),
});
const kafka = new Kafka({
  clientId: 'bare-pipeline',
  brokers: [...config.KAFKA_BROKERS],
  logLevel: logLevel.NOTHING,
});
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
await Promise.all([queue.waitUntilReady(), producer.connect()]);
const worker = startPublishWorker({
  queueName,
  connection: { url: config.REDIS_URL, maxRetriesPerRequest: null },
  prefix: config.QUEUE_PREFIX,
  concurrency: config.WORKER_CONCURRENCY,
  producer,
  topics: [crm, monitoring],
  publishSeconds,
});
const app = bareIntakeApp({ queue, secret, bodyLimit: config.WEBHOOK_MAX_BODY_BYTES });
app.get('/metrics', async (_request, reply) =>
  reply.header('content-type', registry.contentType).send(await registry.metrics()),
);
await app.listen({ port: config.PORT, host: config.HOST });

process.once('SIGTERM', () => {
  void (async () => {
    await app.close();
    await worker.close();
    await producer.disconnect();
    await queue.close();
    process.exit(0);
  })();
});

/**
 * One HTTP server for the intake benchmark, in its own process so the load generator does not
 * share its event loop. Modes:
 *   intake  the real POST /webhooks/jira (JWT check, routing, dedupe, BullMQ add)
 *   bare    a Fastify route that parses the same JSON body and answers 202
 *   add     a Fastify route that parses the body and does one plain BullMQ add per request
 * Prints `listening <port>` once ready.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { Queue } from 'bullmq';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { loadConfig } from '../config/index.ts';
import { buildApp } from '../src/app.ts';
import { RedisConnectionStore } from '../src/connections/redis-connection-store.ts';
import { createLogger } from '../src/logger.ts';
import { createMetrics } from '../src/metrics/registry.ts';
import { RawJsonQueue } from '../src/queues/bullmq-internals/raw-json-queue.ts';
import { BatchingDeliveryQueue, type DeliveryBatch } from '../src/queues/delivery-queue.ts';
import { RedisRegistrationStore } from '../src/webhooks/registration-store.ts';
import { createWebhookAuthenticator } from '../src/webhooks/webhook-auth.ts';
import { CachedWebhookRouter } from '../src/webhooks/webhook-router.ts';

const [mode = 'intake', queueName = 'bench-intake', site = 'bench.atlassian.net'] = process.argv.slice(2);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const connection = { url: redisUrl, enableOfflineQueue: false };
// The intake's own queue type (it stores request bodies as received); the plain route's is BullMQ's.
const queue = new RawJsonQueue<DeliveryBatch>(queueName, { connection });
const plainQueue = new Queue<{ body: unknown }>(queueName, { connection });
await Promise.all([queue.waitUntilReady(), plainQueue.waitUntilReady()]);

async function intakeApp() {
  const config = loadConfig({
    PUBLIC_URL: 'http://127.0.0.1:3000',
    ATLASSIAN_CLIENT_ID: 'sim-client-id',
    ATLASSIAN_CLIENT_SECRET: 'sim-client-secret',
    TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    ADMIN_TOKEN: 'bench-admin-token-0123',
  });
  const redis = new Redis(redisUrl);
  const prefix = `${queueName}-state`;
  const connections = new RedisConnectionStore({ redis, keyPrefix: prefix });
  await connections.upsertFromConsent(
    { cloudId: 'bench-cloud', url: `https://${site}`, name: 'bench', scopes: ['read:jira-work'] },
    'bench-account',
  );
  return buildApp({
    config,
    log: createLogger({ level: 'warn' }),
    readiness: [],
    webhooks: {
      authenticate: createWebhookAuthenticator({
        clientSecret: config.ATLASSIAN_CLIENT_SECRET,
        webhookSecret: undefined,
        clockSkewSeconds: 60,
      }),
      router: new CachedWebhookRouter({
        connections,
        registrations: new RedisRegistrationStore(redis, prefix),
        ttlMs: 10_000,
      }),
      sharedSecretSites: [],
      maxJsonDepth: config.WEBHOOK_MAX_JSON_DEPTH,
      connectionSecrets: { secretsFor: async () => [] },
      deliveries: new BatchingDeliveryQueue({ queue, keyPrefix: prefix, dedupeTtlMs: 60 * 60 * 1000 }),
      metrics: createMetrics(),
      maxBodyBytes: config.WEBHOOK_MAX_BODY_BYTES,
    },
  });
}

function plainApp(add: boolean) {
  const app = Fastify({ bodyLimit: 1_048_576 });
  app.post('/webhooks/jira', async (request, reply) => {
    if (add) await plainQueue.add('delivery', { body: request.body });
    return reply.status(202).send({ status: 'queued' });
  });
  return app;
}

const app = mode === 'intake' ? await intakeApp() : plainApp(mode === 'add');

// This process's garbage-collection pauses since the last ask (GET /bench/gc answers and resets):
// the main thread serves nothing while one runs, so they show in the tail latency.
let gc = { count: 0, totalMs: 0, maxMs: 0 };
new PerformanceObserver((entries) => {
  for (const { duration } of entries.getEntries()) {
    gc = { count: gc.count + 1, totalMs: gc.totalMs + duration, maxMs: Math.max(gc.maxMs, duration) };
  }
}).observe({ entryTypes: ['gc'] });
app.get('/bench/gc', async () => {
  const since = gc;
  gc = { count: 0, totalMs: 0, maxMs: 0 };
  return since;
});
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
process.on('SIGTERM', () => {
  void app
    .close()
    .then(() => Promise.all([queue.close(), plainQueue.close()]))
    .then(() => process.exit(0));
});

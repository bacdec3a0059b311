import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../config/index.ts';
import { buildApp } from '../../src/app.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics } from '../../src/metrics/registry.ts';
import type { RawJsonQueue } from '../../src/queues/bullmq-internals/raw-json-queue.ts';
import { BatchingDeliveryQueue, type DeliveryBatch } from '../../src/queues/delivery-queue.ts';
import { createWebhookAuthenticator } from '../../src/webhooks/webhook-auth.ts';
import type { WebhookRouter } from '../../src/webhooks/webhook-router.ts';
import { validEnv } from './valid-env.ts';

export const clientSecret = 'sim-client-secret';
export const hubSecret = 'admin-webhook-secret-123';
/** The site of the real webhook bodies, which the router below holds. */
export const knownSite = 'some-instance-test.atlassian.net';
/** A site the router below holds, paused. */
export const pausedSite = 'paused.atlassian.net';

/** The routing port answered from a fixed table: which sites the intake tests "hold". */
const fixedRouter: WebhookRouter = {
  route: async (host, ids) => {
    if (host === knownSite) return { connectionId: 'cloud-1', paused: false };
    if (host === pausedSite) return { connectionId: 'cloud-3', paused: true };
    return ids.includes(77) ? { connectionId: 'cloud-2', paused: false } : undefined;
  },
};

/**
 * The HTTP service with only the webhook intake, storing into `queue`, its claims under
 * `statePrefix`; routed by the fixed table above unless a router is given.
 */
export async function buildIntake(
  queue: RawJsonQueue<DeliveryBatch>,
  opts: {
    statePrefix: string;
    maxBodyBytes?: number;
    metrics?: ReturnType<typeof createMetrics>;
    router?: WebhookRouter;
  },
): Promise<FastifyInstance> {
  const config = loadConfig(validEnv({ ATLASSIAN_CLIENT_SECRET: clientSecret }));
  return buildApp({
    config,
    log: createLogger({ level: 'silent' }),
    readiness: [],
    webhooks: {
      authenticate: createWebhookAuthenticator({
        clientSecret,
        webhookSecret: hubSecret,
        clockSkewSeconds: 5,
      }),
      router: opts.router ?? fixedRouter,
      deliveries: new BatchingDeliveryQueue({
        queue,
        keyPrefix: opts.statePrefix,
        dedupeTtlMs: 60_000,
      }),
      metrics: opts.metrics ?? createMetrics(),
      maxBodyBytes: opts.maxBodyBytes ?? 64 * 1024,
    },
  });
}

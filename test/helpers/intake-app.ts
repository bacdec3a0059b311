import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../config/index.ts';
import { buildApp } from '../../src/app.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics } from '../../src/metrics/registry.ts';
import { RawJsonQueue } from '../../src/queues/bullmq-internals/raw-json-queue.ts';
import { BatchingDeliveryQueue, type DeliveryBatch } from '../../src/queues/delivery-queue.ts';
import { createRedisClient } from '../../src/state/redis-client.ts';
import { createWebhookAuthenticator } from '../../src/webhooks/webhook-auth.ts';
import type { WebhookRouter } from '../../src/webhooks/webhook-router.ts';
import { deleteKeysWithPrefix } from './redis-keys.ts';
import { bullPrefixOf, redisTarget, uniqueName } from './services.ts';
import { validEnv } from './valid-env.ts';

export const clientSecret = 'sim-client-secret';
export const hubSecret = 'admin-webhook-secret-123';
/** The site of the real webhook bodies, which the router below holds. */
export const knownSite = 'some-instance-test.atlassian.net';
/** A site the router below holds, paused. */
export const pausedSite = 'paused.atlassian.net';

/** The cloud id the test JWTs name as their issuer (test/helpers/jira-webhook.ts). */
export const knownCloudId = '4b6a1c2e-9f0d-4e5a-8b7c-1d2e3f4a5b6c';

/** The routing port answered from a fixed table: which sites the intake tests "hold". */
const fixedRouter: WebhookRouter = {
  route: async (host, ids) => {
    if (host === knownSite) return { connectionId: 'cloud-1', cloudId: knownCloudId, paused: false };
    if (host === pausedSite) return { connectionId: 'cloud-3', cloudId: knownCloudId, paused: true };
    return ids.includes(77) ? { connectionId: 'cloud-2', cloudId: knownCloudId, paused: false } : undefined;
  },
  connection: async (id) =>
    id === 'cloud-1'
      ? { connectionId: id, cloudId: knownCloudId, siteHost: knownSite, paused: false, disconnected: false }
      : undefined,
};

/** An events queue for an intake, with the prefix its dedupe claims share (`intakeQueue`). */
export interface IntakeQueue {
  readonly queue: RawJsonQueue<DeliveryBatch>;
  /** The queue's prefix, where the intake's claims go: `buildIntake`'s `statePrefix`. */
  readonly statePrefix: string;
  /** Closes the queue and its connection after removing every key under its prefix. */
  close(): Promise<void>;
}

/**
 * An events queue on this run's Redis (its cluster when it has one) on a connection of its own,
 * under the prefix the intake's claims must share with it, as in the relay: `{…}` on a cluster,
 * where one MULTI stores a batch's claims and its job, so both hash to the queue's slot.
 */
export function intakeQueue(name = uniqueName('jira-events')): IntakeQueue {
  const statePrefix = bullPrefixOf(uniqueName('relay'));
  const redis = createRedisClient(redisTarget(), { maxRetriesPerRequest: null });
  const queue = new RawJsonQueue<DeliveryBatch>(name, { connection: redis, prefix: statePrefix });
  return {
    queue,
    statePrefix,
    async close() {
      await queue.close();
      await deleteKeysWithPrefix(redis, statePrefix);
      await redis.quit();
    },
  };
}

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
    /** JIRA_WEBHOOK_SECRET_SITES; every site by default, so the shared secret's tests need no list. */
    sharedSecretSites?: readonly string[];
    /** Per-connection secrets (the admin-webhook route); none by default. */
    connectionSecrets?: { secretsFor(connectionId: string): Promise<readonly string[]> };
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
      sharedSecretSites: opts.sharedSecretSites ?? ['*'],
      maxJsonDepth: 64,
      connectionSecrets: opts.connectionSecrets ?? { secretsFor: async () => [] },
      maxBodyBytes: opts.maxBodyBytes ?? 64 * 1024,
    },
  });
}

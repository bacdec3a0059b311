import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createMetrics } from '../../../src/metrics/registry.ts';
import type { RawJsonQueue } from '../../../src/queues/bullmq-internals/raw-json-queue.ts';
import type { DeliveryBatch } from '../../../src/queues/delivery-queue.ts';
import { createRedisClient, type RedisClient } from '../../../src/state/redis-client.ts';
import { createTokenCipher } from '../../../src/tokens/token-cipher.ts';
import { RedisWebhookSecretStore } from '../../../src/webhooks/webhook-secret-store.ts';
import {
  buildIntake,
  clientSecret,
  hubSecret,
  type IntakeQueue,
  intakeQueue,
  knownSite,
} from '../../helpers/intake-app.ts';
import { realWebhookBody, signHubSignature, webhookJwt } from '../../helpers/jira-webhook.ts';
import { deleteKeysWithPrefix } from '../../helpers/redis-keys.ts';
import { redisTarget, uniqueName } from '../../helpers/services.ts';

/**
 * Issue 17, "Any site's admin can forge events for any other site": a delivery speaks only for its
 * own site. The attacks: a connection's secret used for another site's body, the shared secret for
 * a site it is not listed for, and a JWT for a site we hold no connection to.
 */
/** Where the connections' webhook secrets live (the relay's QUEUE_PREFIX); removed at the end. */
const secretsPrefix = uniqueName('relay');
const otherSite = 'victim.atlassian.net';

/** A real issue_updated body, re-pointed at `host` (its `self` links name the site). */
function bodyFor(host: string): string {
  return JSON.stringify(realWebhookBody('issue_updated')).replaceAll(knownSite, host);
}

describe('a webhook delivery speaks only for its own site', () => {
  let events: IntakeQueue;
  let queue: RawJsonQueue<DeliveryBatch>;
  /** The claims' prefix: the queue's. */
  let statePrefix: string;
  let redis: RedisClient;
  let secrets: RedisWebhookSecretStore;

  beforeAll(async () => {
    events = intakeQueue();
    ({ queue, statePrefix } = events);
    redis = createRedisClient(redisTarget(), { maxRetriesPerRequest: null });
    const cipher = createTokenCipher([randomBytes(32).toString('base64')]);
    secrets = new RedisWebhookSecretStore({ redis, keyPrefix: secretsPrefix, cipher });
  });
  afterAll(async () => {
    await events?.close();
    await deleteKeysWithPrefix(redis, secretsPrefix);
    await redis?.quit();
  });

  async function intake(opts: { sharedSecretSites?: readonly string[] } = {}): Promise<FastifyInstance> {
    const app = await buildIntake(queue, {
      statePrefix,
      sharedSecretSites: opts.sharedSecretSites ?? [],
      connectionSecrets: secrets,
    });
    onTestFinished(() => app.close());
    return app;
  }

  function post(app: FastifyInstance, url: string, payload: string, secret: string) {
    const id = uniqueName('delivery');
    return app.inject({
      method: 'POST',
      url,
      payload,
      headers: {
        'content-type': 'application/json',
        'x-hub-signature': signHubSignature(secret, payload),
        'x-atlassian-webhook-identifier': id,
      },
    });
  }

  async function queuedIds(): Promise<string[]> {
    const jobs = await queue.getJobs(['wait']);
    return jobs.flatMap((j) => j.data.deliveries.map((d) => `${d.siteHost}/${d.connectionId ?? '-'}`));
  }

  it("takes a connection's own secret for its own site, routed to that connection", async () => {
    const app = await intake();
    const { secret } = await secrets.rotate('cloud-1', 60_000);
    const res = await post(app, '/webhooks/jira/cloud-1', bodyFor(knownSite), secret);
    expect(res.statusCode).toBe(202);
    expect(await queuedIds()).toContain(`${knownSite}/cloud-1`);
  });

  it("answers 401 when a connection's secret signs a body that names another site, and queues nothing", async () => {
    const app = await intake();
    const { secret } = await secrets.rotate('cloud-1', 60_000);
    const before = (await queuedIds()).length;
    const res = await post(app, '/webhooks/jira/cloud-1', bodyFor(otherSite), secret);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: 'site_mismatch' });
    expect((await queuedIds()).length).toBe(before);
  });

  it('accepts the previous secret during the grace period only, and nothing after a revocation', async () => {
    const app = await intake();
    const first = await secrets.rotate('cloud-1', 60_000);
    await secrets.rotate('cloud-1', 60_000);
    expect((await post(app, '/webhooks/jira/cloud-1', bodyFor(knownSite), first.secret)).statusCode).toBe(
      202,
    );
    const third = await secrets.rotate('cloud-1', 0);
    const stale = await post(app, '/webhooks/jira/cloud-1', bodyFor(knownSite), first.secret);
    expect(stale.statusCode).toBe(401);
    await secrets.revoke('cloud-1');
    // The intake caches secrets for WEBHOOK_ROUTE_CACHE_MS; a fresh intake reads the revocation.
    const fresh = await intake();
    expect((await post(fresh, '/webhooks/jira/cloud-1', bodyFor(knownSite), third.secret)).json()).toEqual({
      error: 'no_webhook_secret',
    });
  });

  it('refuses a connection id it does not hold, and an id that cannot be one', async () => {
    const app = await intake();
    for (const id of ['cloud-9', 'x'.repeat(80), '..%2F..']) {
      const res = await post(app, `/webhooks/jira/${id}`, bodyFor(knownSite), 'any-secret-at-all');
      expect(res.statusCode).toBe(401);
    }
  });

  it('lets the shared secret speak only for the sites JIRA_WEBHOOK_SECRET_SITES lists', async () => {
    const none = await intake({ sharedSecretSites: [] });
    expect((await post(none, '/webhooks/jira', bodyFor(knownSite), hubSecret)).json()).toEqual({
      error: 'site_not_allowed',
    });
    const listed = await intake({ sharedSecretSites: ['webhook-only.atlassian.net'] });
    const onlyHost = 'webhook-only.atlassian.net';
    expect((await post(listed, '/webhooks/jira', bodyFor(onlyHost), hubSecret)).statusCode).toBe(202);
    expect(await queuedIds()).toContain(`${onlyHost}/-`);
    expect((await post(listed, '/webhooks/jira', bodyFor(otherSite), hubSecret)).statusCode).toBe(401);
    const any = await intake({ sharedSecretSites: ['*'] });
    expect((await post(any, '/webhooks/jira', bodyFor(otherSite), hubSecret)).statusCode).toBe(202);
  });

  it("refuses a dynamic webhook's JWT whose issuer names another site than the body's", async () => {
    const app = await buildIntake(queue, {
      statePrefix,
      router: {
        route: async () => ({ connectionId: 'cloud-9', cloudId: 'another-cloud', paused: false }),
        connection: async () => undefined,
      },
    });
    onTestFinished(() => app.close());
    const payload = bodyFor(knownSite);
    const res = await app.inject({
      method: 'POST',
      url: '/webhooks/jira',
      payload,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await webhookJwt(clientSecret)}`,
      },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: 'site_mismatch' });
  });

  it('answers 503 with Retry-After, never 500, when Redis cannot answer the route lookup', async () => {
    const metrics = createMetrics();
    const dead = new Redis({
      port: 1,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    onTestFinished(() => dead.disconnect());
    const app = await buildIntake(queue, {
      statePrefix,
      metrics,
      sharedSecretSites: ['*'],
      connectionSecrets: new RedisWebhookSecretStore({
        redis: dead,
        keyPrefix: secretsPrefix,
        cipher: createTokenCipher([randomBytes(32).toString('base64')]),
      }),
      router: {
        route: async () => {
          await dead.get('route');
          return undefined;
        },
        connection: async () => undefined,
      },
    });
    onTestFinished(() => app.close());
    for (const url of ['/webhooks/jira', '/webhooks/jira/cloud-1']) {
      const res = await post(app, url, bodyFor(knownSite), hubSecret);
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
    }
  });
});

import { createHmac, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config/index.ts';
import { buildApp } from '../../../src/app.ts';
import { createLogger } from '../../../src/logger.ts';
import { createMetrics } from '../../../src/metrics/registry.ts';
import { BatchingDeliveryQueue } from '../../../src/queues/delivery-queue.ts';
import { createWebhookAuthenticator } from '../../../src/webhooks/webhook-auth.ts';
import { type IntakeQueue, intakeQueue } from '../../helpers/intake-app.ts';
import { realWebhookBody } from '../../helpers/jira-webhook.ts';
import { validEnv } from '../../helpers/valid-env.ts';

const clientId = 'relay-client-id';
const clientSecret = 'relay-client-secret';
const cloudId = '4b6a1c2e-9f0d-4e5a-8b7c-1d2e3f4a5b6c';
const site = 'some-instance-test.atlassian.net';

/** A token signed with the right secret, carrying exactly `claims` (no defaults added). */
function signed(claims: Record<string, unknown>): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc(claims)}`;
  return `${input}.${createHmac('sha256', clientSecret).update(input).digest('base64url')}`;
}

/**
 * Issue 17, "Webhook JWT is barely checked": the JWT does not cover the body, so whoever captures
 * one may send any body with it for as long as it is accepted. The intake, wired as
 * composition/route-deps.ts wires it (ATLASSIAN_CLIENT_ID and the lifetime limits from the
 * configuration), on real Redis.
 */
describe('webhook JWT claims', () => {
  let intake: IntakeQueue;
  let app: FastifyInstance;

  beforeAll(async () => {
    intake = intakeQueue();
    const { queue, statePrefix } = intake;
    const config = loadConfig(
      validEnv({ ATLASSIAN_CLIENT_ID: clientId, ATLASSIAN_CLIENT_SECRET: clientSecret }),
    );
    app = await buildApp({
      config,
      log: createLogger({ level: 'silent' }),
      readiness: [],
      webhooks: {
        authenticate: createWebhookAuthenticator({
          clientSecret,
          webhookSecret: undefined,
          clockSkewSeconds: config.WEBHOOK_JWT_CLOCK_SKEW_SECONDS,
          clientId: config.ATLASSIAN_CLIENT_ID,
          maxAgeSeconds: config.WEBHOOK_JWT_MAX_AGE_SECONDS,
          maxLifetimeSeconds: config.WEBHOOK_JWT_MAX_LIFETIME_SECONDS,
        }),
        router: {
          route: async (host) =>
            host === site ? { connectionId: cloudId, cloudId, paused: false } : undefined,
          connection: async () => undefined,
        },
        deliveries: new BatchingDeliveryQueue({ queue, keyPrefix: statePrefix, dedupeTtlMs: 60_000 }),
        metrics: createMetrics(),
        sharedSecretSites: [],
        connectionSecrets: { secretsFor: async () => [] },
        maxJsonDepth: config.WEBHOOK_MAX_JSON_DEPTH,
        maxBodyBytes: 1_048_576,
      },
    });
  });
  afterAll(async () => {
    await app?.close();
    await intake?.close();
  });

  /** A forged body (another issue, another change) sent with a captured token. */
  async function replay(token: string) {
    const body = { ...realWebhookBody('issue_updated'), forged: randomUUID() };
    const res = await app.inject({
      method: 'POST',
      url: '/webhooks/jira',
      payload: JSON.stringify(body),
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        'x-atlassian-webhook-identifier': randomUUID(),
      },
    });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> };
  }

  it('refuses captured tokens that would carry any body for too long, and takes what Jira sends', async () => {
    const now = Math.floor(Date.now() / 1000);
    const day = 86_400;
    // Captured a day ago, no exp: it never ended before.
    expect(await replay(signed({ iat: now - day }))).toEqual({ status: 401, body: { error: 'jwt_expired' } });
    // No exp, no iat: valid forever before.
    expect(await replay(signed({}))).toEqual({ status: 401, body: { error: 'jwt_lifetime' } });
    // A ten-year token.
    expect(await replay(signed({ iat: now, exp: now + 3650 * day }))).toEqual({
      status: 401,
      body: { error: 'jwt_lifetime' },
    });
    // Signed for another app sharing the secret (a rotated or reused one).
    expect(await replay(signed({ iat: now, exp: now + 900, aud: 'another-app' }))).toEqual({
      status: 401,
      body: { error: 'jwt_audience' },
    });
    expect(await replay(signed({ iat: now, exp: now + 900, iss: 'somebody' }))).toEqual({
      status: 401,
      body: { error: 'jwt_issuer' },
    });

    // What the simulator sends as Jira (jose, iss jira:{cloudId}, aud the client id, 15 minutes).
    const jira = await new SignJWT({ context: { cloudId } })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(`jira:${cloudId}`)
      .setAudience(clientId)
      .setIssuedAt(now)
      .setExpirationTime(now + 900)
      .sign(new TextEncoder().encode(clientSecret));
    expect(await replay(jira)).toEqual({ status: 202, body: { status: 'queued' } });
    const stored = (await intake.queue.getJobs(['wait'])).flatMap((j) => j.data.deliveries);
    expect(stored).toHaveLength(1);
  });
});

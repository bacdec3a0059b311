import type { FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createMetrics } from '../../../src/metrics/registry.ts';
import { RawJsonQueue } from '../../../src/queues/bullmq-internals/raw-json-queue.ts';
import { BatchingDeliveryQueue, type DeliveryBatch } from '../../../src/queues/delivery-queue.ts';
import { deliveryBatchSchema } from '../../../src/queues/webhook-delivery.ts';
import {
  buildIntake,
  clientSecret,
  hubSecret,
  type IntakeQueue,
  intakeQueue,
  knownSite,
  pausedSite,
} from '../../helpers/intake-app.ts';
import { realWebhookBody, signHubSignature, webhookJwt } from '../../helpers/jira-webhook.ts';
import { uniqueName } from '../../helpers/services.ts';

describe('POST /webhooks/jira', () => {
  let intake: IntakeQueue;
  let queue: RawJsonQueue<DeliveryBatch>;
  /** Where the dedupe claims live: the queue's prefix, removed at the end with the queue. */
  let statePrefix: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    intake = intakeQueue();
    ({ queue, statePrefix } = intake);
    app = await buildIntake(queue, { statePrefix });
  });
  afterAll(async () => {
    await app?.close();
    await intake?.close();
  });

  async function post(body: unknown, headers: Record<string, string>) {
    const payload = typeof body === 'string' ? body : JSON.stringify(body);
    return app.inject({
      method: 'POST',
      url: '/webhooks/jira',
      payload,
      headers: { 'content-type': 'application/json', ...headers },
    });
  }

  async function bearer(opts?: Parameters<typeof webhookJwt>[1]) {
    return { authorization: `Bearer ${await webhookJwt(clientSecret, opts)}` };
  }

  it.each(['issue_created', 'issue_updated', 'comment_created'] as const)(
    'queues the real %s body with 202, once it is in Redis',
    async (name) => {
      const id = uniqueName('delivery');
      const res = await post(realWebhookBody(name), {
        ...(await bearer()),
        'x-atlassian-webhook-identifier': id,
      });
      expect(res.statusCode).toBe(202);
      expect(res.json()).toEqual({ status: 'queued' });
      const jobs = await queue.getJobs(['wait']);
      const delivery = jobs.flatMap((j) => j.data.deliveries).find((d) => d.deliveryId === id);
      expect(delivery).toMatchObject({
        siteHost: knownSite,
        connectionId: 'cloud-1',
        auth: 'jwt',
        retry: 0,
      });
      expect(delivery?.body).toEqual(realWebhookBody(name));
    },
  );

  it('stores each body of a batch as the bytes it came in, which read back as the parsed body', async () => {
    const base = realWebhookBody('issue_updated') as Record<string, unknown>;
    // Whitespace, escapes, non-ASCII text and odd keys: the stored bytes are the request's own.
    const bodies = [
      JSON.stringify({ ...base, note: 'Zürich ✓ 😀 "quoted" \\ back\nslash' }, null, 2),
      `  ${JSON.stringify({ ...base, constructor: { polluted: true }, escaped: '\u00e9\ud83d\ude00' })}\n`,
      JSON.stringify({ ...base, deep: [[[{ a: null, b: 1.5e-7, c: [] }]]] }),
    ];
    const ids = bodies.map(() => uniqueName('raw'));
    const headers = await bearer();
    const responses = await Promise.all(
      bodies.map((body, i) => post(body, { ...headers, 'x-atlassian-webhook-identifier': ids[i] as string })),
    );
    expect(responses.map((r) => r.statusCode)).toEqual([202, 202, 202]);
    const jobs = await queue.getJobs(['wait']);
    const stored = jobs.flatMap((j) => deliveryBatchSchema.parse(j.data).deliveries);
    bodies.forEach((body, i) => {
      const delivery = stored.find((d) => d.deliveryId === ids[i]);
      expect(delivery).toMatchObject({ siteHost: knownSite, connectionId: 'cloud-1', auth: 'jwt' });
      expect(delivery?.body).toEqual(JSON.parse(body));
    });
  });

  it('answers 200 for a repeat of the same delivery, and 202 for the same id on another site', async () => {
    const headers = { ...(await bearer()), 'x-atlassian-webhook-identifier': uniqueName('dup') };
    const body = realWebhookBody('issue_updated');
    expect((await post(body, headers)).statusCode).toBe(202);
    const again = await post(body, { ...headers, 'x-atlassian-webhook-retry': '1' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ status: 'duplicate' });

    const otherSite = JSON.parse(JSON.stringify(body).replaceAll(knownSite, 'other.atlassian.net'));
    otherSite.matchedWebhookIds = [77];
    expect((await post(otherSite, headers)).statusCode).toBe(202);
  });

  it('dedupes on a hash of the body when the identifier header is missing', async () => {
    const body = { ...realWebhookBody('issue_created'), timestamp: Date.now() };
    expect((await post(body, await bearer())).statusCode).toBe(202);
    expect((await post(body, await bearer())).statusCode).toBe(200);
  });

  it('accepts admin webhooks signed with X-Hub-Signature, with or without a connection', async () => {
    const body = JSON.stringify({ ...realWebhookBody('issue_created'), timestamp: Date.now() });
    const unknown = body.replaceAll(knownSite, 'admin-only.atlassian.net');
    for (const payload of [body, unknown]) {
      const res = await post(payload, { 'x-hub-signature': signHubSignature(hubSecret, payload) });
      expect(res.statusCode).toBe(202);
    }
  });

  it('drops JWT deliveries for a site without a connection with 202, counted as unroutable', async () => {
    const body = JSON.parse(
      JSON.stringify(realWebhookBody('issue_created')).replaceAll(knownSite, 'gone.atlassian.net'),
    );
    const res = await post(body, await bearer());
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: 'unroutable' });
  });

  it('drops deliveries for a paused site with 202, however they are signed, and queues nothing', async () => {
    const metrics = createMetrics();
    const pausedApp = await buildIntake(queue, { statePrefix, metrics });
    onTestFinished(() => pausedApp.close());
    const before = await queue.count();
    const body = JSON.stringify(realWebhookBody('issue_created')).replaceAll(knownSite, pausedSite);
    for (const headers of [await bearer(), { 'x-hub-signature': signHubSignature(hubSecret, body) }]) {
      const res = await pausedApp.inject({
        method: 'POST',
        url: '/webhooks/jira',
        payload: body,
        headers: { 'content-type': 'application/json', ...headers },
      });
      expect(res.statusCode).toBe(202);
      expect(res.json()).toEqual({ status: 'paused' });
    }
    expect(await queue.count()).toBe(before);
    const received = await metrics.registry.getSingleMetricAsString('jira_relay_webhooks_received_total');
    expect(received).toContain('event="jira:issue_created",outcome="paused"} 2');
  });

  it('acknowledges events it does not handle with 202 and queues nothing', async () => {
    const before = await queue.count();
    const res = await post({ webhookEvent: 'worklog_created', worklog: { issueId: '1' } }, await bearer());
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: 'ignored' });
    expect(await queue.count()).toBe(before);
  });

  describe('refuses with 401 and a code', () => {
    const body = realWebhookBody('issue_created');
    const cases: Array<[string, () => Promise<Record<string, string>>, string]> = [
      ['no credentials', async () => ({}), 'missing_credentials'],
      [
        'a forged JWT',
        async () => ({ authorization: `Bearer ${await webhookJwt('wrong-secret')}` }),
        'jwt_invalid',
      ],
      ['an expired JWT', async () => bearer({ expiresInSeconds: -60 }), 'jwt_expired'],
      ['an HS512 JWT', async () => bearer({ alg: 'HS512' }), 'jwt_algorithm'],
      ['an unsigned JWT', async () => ({ authorization: `Bearer ${unsignedJwt()}` }), 'jwt_algorithm'],
      ['garbage in the bearer', async () => ({ authorization: 'Bearer not-a-jwt' }), 'jwt_invalid'],
      ['basic auth', async () => ({ authorization: 'Basic dXNlcjpwYXNz' }), 'unsupported_auth_method'],
      [
        'a wrong HMAC',
        async () => ({ 'x-hub-signature': signHubSignature('nope', JSON.stringify(body)) }),
        'signature_invalid',
      ],
      ['a sha1 HMAC', async () => ({ 'x-hub-signature': 'sha1=0123' }), 'signature_method'],
    ];
    it.each(cases)('%s', async (_name, headers, code) => {
      const res = await post(body, await headers());
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error: code });
    });

    it('an RS256 JWT (algorithm confusion)', async () => {
      const { privateKey } = await import('node:crypto').then((c) =>
        c.generateKeyPairSync('rsa', { modulusLength: 2048 }),
      );
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'RS256' })
        .setExpirationTime('5m')
        .sign(privateKey);
      const res = await post(body, { authorization: `Bearer ${token}` });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error: 'jwt_algorithm' });
    });

    it('a body changed after signing', async () => {
      const payload = JSON.stringify(body);
      const res = await post(payload.replace('issue_created', 'issue_updated'), {
        'x-hub-signature': signHubSignature(hubSecret, payload),
      });
      expect(res.statusCode).toBe(401);
    });
  });

  it.each([
    ['malformed JSON', '{"webhookEvent": ', 'malformed_json'],
    ['a JSON array', '[1,2]', 'not_an_object'],
    ['a body without webhookEvent', '{"issue":{}}', 'missing_webhook_event'],
    [
      'a handled event without any self link',
      '{"webhookEvent":"jira:issue_created","issue":{"id":"1"}}',
      'missing_site',
    ],
  ])('answers 400 for %s', async (_name, payload, code) => {
    const res = await post(payload, await bearer());
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: code });
  });

  it('answers 413 above the size limit, before authenticating or parsing, and counts it', async () => {
    const metrics = createMetrics();
    const small = await buildIntake(queue, { statePrefix, maxBodyBytes: 1024, metrics });
    const tooLarge = () =>
      small.inject({
        method: 'POST',
        url: '/webhooks/jira',
        payload: JSON.stringify({ webhookEvent: 'x', pad: 'a'.repeat(2048) }),
        headers: { 'content-type': 'application/json' },
      });
    try {
      expect((await tooLarge()).statusCode).toBe(413);
      expect((await tooLarge()).statusCode).toBe(413);
      const rejected = await metrics.webhooksRejected.get();
      expect(rejected.values.find((v) => v.labels.reason === 'too_large')?.value).toBe(2);
    } finally {
      await small.close();
    }
    const res = await post({ webhookEvent: 'x', pad: 'a'.repeat(70 * 1024) }, {});
    expect(res.statusCode).toBe(413);
  });

  it("queues Jira's retry of a delivery that could not be stored, instead of calling it a duplicate", async () => {
    const keyPrefix = statePrefix;
    const deadQueue = new RawJsonQueue<DeliveryBatch>(uniqueName('dead'), {
      connection: {
        host: '127.0.0.1',
        port: 1,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      },
    });
    deadQueue.on('error', () => undefined);
    const failing = new BatchingDeliveryQueue({ queue: deadQueue, keyPrefix, dedupeTtlMs: 60_000 });
    const working = new BatchingDeliveryQueue({ queue, keyPrefix, dedupeTtlMs: 60_000 });
    const delivery = {
      siteHost: knownSite,
      auth: 'jwt' as const,
      deliveryId: uniqueName('d'),
      receivedAt: Date.now(),
      retry: 0,
      body: realWebhookBody('issue_created'),
    };
    try {
      await expect(failing.enqueue(delivery)).rejects.toThrow();
      expect(await working.enqueue({ ...delivery, retry: 1 })).toBe('queued');
      expect(await working.enqueue({ ...delivery, retry: 2 })).toBe('duplicate');
    } finally {
      await deadQueue.close().catch(() => undefined);
    }
  });

  it('answers 503 when Redis cannot take the delivery, so Jira retries', async () => {
    const deadConnection = {
      host: '127.0.0.1',
      port: 1,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    };
    const dead = new RawJsonQueue<DeliveryBatch>(uniqueName('dead'), { connection: deadConnection });
    dead.on('error', () => undefined);
    const deadApp = await buildIntake(dead, { statePrefix });
    try {
      const res = await deadApp.inject({
        method: 'POST',
        url: '/webhooks/jira',
        payload: realWebhookBody('issue_created'),
        headers: await bearer(),
      });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBeDefined();
    } finally {
      await deadApp.close();
      await dead.close().catch(() => undefined);
    }
  });
});

function unsignedJwt(): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ exp: Math.floor(Date.now() / 1000) + 60 })}.`;
}

import { describe, expect, it, onTestFinished } from 'vitest';
import { mutate } from '../../helpers/fuzz-mutate.ts';
import { buildIntake, clientSecret, hubSecret, intakeQueue, knownCloudId } from '../../helpers/intake-app.ts';
import { realWebhookBody, signHubSignature, webhookJwt } from '../../helpers/jira-webhook.ts';
import { prng } from '../../helpers/prng.ts';
import { uniqueName } from '../../helpers/services.ts';

const bodies = [
  realWebhookBody('issue_created'),
  realWebhookBody('issue_updated'),
  realWebhookBody('comment_created'),
];
const events = [
  'jira:issue_created',
  'jira:issue_updated',
  'jira:issue_deleted',
  'comment_created',
  'comment_deleted',
  'worklog_created',
  '',
  42,
];

function payloadFor(rand: () => number): string {
  const r = rand();
  if (r < 0.1)
    return Buffer.from(
      Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256)),
    ).toString('latin1');
  if (r < 0.2) return JSON.stringify(bodies[0]).slice(0, Math.floor(rand() * 400));
  const base = structuredClone(bodies[Math.floor(rand() * bodies.length)]) as Record<string, unknown>;
  if (rand() < 0.3) base.webhookEvent = events[Math.floor(rand() * events.length)];
  return JSON.stringify(mutate(base, rand));
}

describe('webhook intake fuzz', () => {
  it('answers 10,000 random and mutated deliveries without a single 5xx, and stays up', async () => {
    const { queue, statePrefix, close } = intakeQueue(uniqueName('fuzz'));
    const app = await buildIntake(queue, {
      statePrefix,
      router: {
        route: async () => ({ connectionId: 'conn-1', cloudId: knownCloudId, paused: false }),
        connection: async () => undefined,
      },
    });
    onTestFinished(async () => {
      await app.close();
      await close();
    });

    const seed = 20261129;
    const rand = prng(seed);
    const jwt = await webhookJwt(clientSecret);
    const contentTypes = [
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
      '',
    ];
    const statuses = new Map<number, number>();
    for (let i = 0; i < 10_000; i++) {
      const payload = payloadFor(rand);
      const headers: Record<string, string> = {};
      const auth = rand();
      if (auth < 0.45) headers.authorization = `Bearer ${jwt}`;
      else if (auth < 0.75) headers['x-hub-signature'] = signHubSignature(hubSecret, payload);
      else if (auth < 0.85)
        headers.authorization =
          ['Bearer', 'Bearer x.y.z', `Bearer ${jwt}x`, 'Digest abc'][Math.floor(rand() * 4)] ?? '';
      else if (auth < 0.9)
        headers['x-hub-signature'] =
          ['sha256=', 'sha256=zz', 'md5=abc', '=', 'sha256'][Math.floor(rand() * 5)] ?? '';
      const contentType = contentTypes[Math.floor(rand() * contentTypes.length)];
      if (contentType) headers['content-type'] = contentType;
      if (rand() < 0.3) headers['x-atlassian-webhook-identifier'] = String(Math.floor(rand() * 500));
      if (rand() < 0.1)
        headers['x-atlassian-webhook-retry'] =
          ['1', '-3', 'abc', '99999999999999999999'][Math.floor(rand() * 4)] ?? '';
      const method = rand() < 0.02 ? 'PUT' : 'POST';
      const res = await app.inject({ method, url: '/webhooks/jira', payload, headers });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      if (res.statusCode >= 500)
        throw new Error(`case ${i} (seed ${seed}) got ${res.statusCode}: ${res.body}`);
    }

    expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
    // The fuzz reached past authentication into every answer the route gives.
    for (const status of [200, 202, 400, 401, 404]) expect(statuses.get(status) ?? 0).toBeGreaterThan(0);
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
  }, 120_000);
});

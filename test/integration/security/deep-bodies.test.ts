import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIntake, hubSecret, type IntakeQueue, intakeQueue } from '../../helpers/intake-app.ts';
import { realWebhookBody, signHubSignature } from '../../helpers/jira-webhook.ts';

/**
 * Issue 17, "A 100k-deep JSON body is accepted (202), and then cannot be dead-lettered because
 * JSON.stringify overflows": a signed body nested deeper than WEBHOOK_MAX_JSON_DEPTH gets 400
 * `too_deep` and is never stored, and the intake keeps serving.
 */
describe('deeply nested webhook bodies', () => {
  let intake: IntakeQueue;

  beforeAll(() => {
    intake = intakeQueue();
  });
  afterAll(async () => {
    await intake?.close();
  });

  it('refuses a 100,000-deep signed body with 400 too_deep, stores nothing, and serves the next one', async () => {
    const { queue, statePrefix } = intake;
    const app = await buildIntake(queue, { statePrefix, maxBodyBytes: 1024 * 1024 });
    const base = realWebhookBody('issue_updated') as Record<string, unknown>;
    const deep = `${JSON.stringify(base).slice(0, -1)},"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const post = (payload: string) =>
      app.inject({
        method: 'POST',
        url: '/webhooks/jira',
        payload,
        headers: {
          'content-type': 'application/json',
          'x-hub-signature': signHubSignature(hubSecret, payload),
        },
      });
    const refused = await post(deep);
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({ error: 'too_deep' });
    expect(await queue.count()).toBe(0);
    const normal = await post(JSON.stringify(base));
    expect(normal.statusCode).toBe(202);
    await app.close();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawJsonQueue } from '../../../src/queues/bullmq-internals/raw-json-queue.ts';
import type { DeliveryBatch } from '../../../src/queues/delivery-queue.ts';
import { buildIntake, hubSecret } from '../../helpers/intake-app.ts';
import { realWebhookBody, signHubSignature } from '../../helpers/jira-webhook.ts';
import { deleteKeysAt } from '../../helpers/redis-keys.ts';
import { redisUrl, uniqueName } from '../../helpers/services.ts';

/**
 * Issue 17, "A 100k-deep JSON body is accepted (202), and then cannot be dead-lettered because
 * JSON.stringify overflows": a signed body nested deeper than WEBHOOK_MAX_JSON_DEPTH gets 400
 * `too_deep` and is never stored, and the intake keeps serving.
 */
describe('deeply nested webhook bodies', () => {
  const statePrefix = uniqueName('relay');
  let queue: RawJsonQueue<DeliveryBatch>;

  beforeAll(() => {
    queue = new RawJsonQueue<DeliveryBatch>(uniqueName('jira-events'), { connection: { url: redisUrl() } });
  });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    await deleteKeysAt(redisUrl(), statePrefix);
  });

  it('refuses a 100,000-deep signed body with 400 too_deep, stores nothing, and serves the next one', async () => {
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

import { describe, expect, it } from 'vitest';
import { RedisWebhookCoverage } from '../../../src/state/coverage.ts';
import { commentChange, issueChange, issueSnapshot } from '../../helpers/changes.ts';
import { testRedis, uniqueName } from '../../helpers/services.ts';

const site = 'acme.atlassian.net';

function coverage() {
  const now = Date.parse('2024-03-01T10:00:30Z');
  return new RedisWebhookCoverage(testRedis(), {
    prefix: uniqueName('relay'),
    ttlSeconds: 3600,
    bucketSeconds: 3600,
    now: () => now,
  });
}

describe('RedisWebhookCoverage', () => {
  it('records which path saw each change first, and how late the other one was', async () => {
    const c = coverage();
    const seenByWebhook = issueChange({ version: 1000, observedAt: 5000 });
    // The webhook path sends its changes one at a time.
    expect(await c.sight('webhook', [seenByWebhook])).toEqual([{ first: 'webhook', lateMs: null }]);
    expect(await c.sight('webhook', [seenByWebhook])).toEqual([{ first: 'webhook', lateMs: null }]);

    // A poll's page: the webhook's change 2.5 s later, one no webhook sent, a deletion (not
    // counted), and a change that came by the other path (not this one's to record).
    const page = await c.sight('poll', [
      { ...seenByWebhook, source: 'poll', observedAt: 7500 },
      issueChange({ issue: issueSnapshot({ id: '10043' }), source: 'poll', observedAt: 7500 }),
      issueChange({ issue: issueSnapshot({ id: '10044' }), kind: 'deleted', source: 'poll' }),
      commentChange({ source: 'webhook' }),
    ]);
    expect(page).toEqual([{ first: 'webhook', lateMs: 2500 }, { first: 'poll', lateMs: null }, null, null]);

    expect(await c.share(site)).toMatchObject({
      webhookFirst: 1,
      pollFirst: 1,
      pollOnly: 1,
      pollOnlyShare: 0.5,
      webhookCoverage: 0.5,
      meanLateMs: { webhook: null, poll: 2500 },
    });
  });

  it('sends nothing for a batch with nothing to count', async () => {
    const c = coverage();
    expect(await c.sight('webhook', [issueChange({ kind: 'deleted' })])).toEqual([null]);
    expect(await c.sight('webhook', [])).toEqual([]);
    expect(await c.share(site)).toMatchObject({ webhookFirst: 0, pollFirst: 0, webhookCoverage: null });
  });
});

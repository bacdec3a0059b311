import { describe, expect, it } from 'vitest';
import { RedisWebhookCoverage } from '../../../src/state/coverage.ts';
import { issueChange } from '../../helpers/changes.ts';
import { testRedis, uniqueName } from '../../helpers/services.ts';

/**
 * Issue 17, "Caches grow without bound": every first sighting added its site host to one Redis set
 * that nothing ever trimmed, and site hosts come from webhook bodies (a shared secret may speak for
 * any site). The set keeps the `maxSites` most recently sighted sites, and only for as long as
 * their coverage buckets live.
 */
describe('the coverage site set', () => {
  it('keeps at most maxSites sites under a flood of forged site hosts, the most recent ones', async () => {
    const redis = testRedis();
    const prefix = uniqueName('relay');
    let now = Date.parse('2026-01-01T00:00:00Z');
    const coverage = new RedisWebhookCoverage(redis, {
      prefix,
      ttlSeconds: 3600,
      bucketSeconds: 60,
      maxSites: 50,
      now: () => now,
    });
    for (let i = 0; i < 500; i++) {
      now += 10;
      const site = { host: `forged-${i}.atlassian.net`, cloudId: `c${i}` };
      await coverage.sight('webhook', [issueChange({ site, version: now, observedAt: now })]);
    }
    const sites = await coverage.sites();
    expect(sites).toHaveLength(50);
    expect(sites).toEqual(Array.from({ length: 50 }, (_, i) => `forged-${450 + i}.atlassian.net`));
    expect(await redis.zcard(`${prefix}:coverage:recent-sites`)).toBe(50);
    expect(await redis.exists(`${prefix}:coverage:sites`)).toBe(0); // the unbounded set of before

    // Past its buckets (three of 60 s), a site holds no coverage: the next sighting drops it.
    now += 181_000;
    const fresh = { host: 'acme.atlassian.net', cloudId: 'c-acme' };
    await coverage.sight('webhook', [issueChange({ site: fresh, version: now, observedAt: now })]);
    expect(await coverage.sites()).toEqual(['acme.atlassian.net']);
  });
});

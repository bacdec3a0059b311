import { describe, expect, it } from 'vitest';
import { RedisSiteHistory } from '../../../src/state/site-history.ts';
import { scanKeys } from '../../helpers/redis-keys.ts';
import { testRedis, uniqueName } from '../../helpers/services.ts';

describe('RedisSiteHistory', () => {
  it('keeps the last samples of each connection, oldest first, on one key under the prefix', async () => {
    const redis = testRedis();
    const prefix = uniqueName('relay');
    const history = new RedisSiteHistory(redis, { prefix, maxSamples: 3, ttlSeconds: 600 });
    expect(await history.read('c-1')).toEqual([]);

    for (let i = 1; i <= 5; i++) {
      await history.record('c-1', {
        at: i * 1000,
        lagSeconds: i * 10,
        webhookCoverage: i === 4 ? null : 0.5,
      });
    }
    await history.record('c-2', { at: 9000, lagSeconds: null, webhookCoverage: 1 });

    expect(await history.read('c-1')).toEqual([
      { at: 3000, lagSeconds: 30, webhookCoverage: 0.5 },
      { at: 4000, lagSeconds: 40, webhookCoverage: null },
      { at: 5000, lagSeconds: 50, webhookCoverage: 0.5 },
    ]);
    expect(await history.read('c-2')).toEqual([{ at: 9000, lagSeconds: null, webhookCoverage: 1 }]);

    const keys = (await scanKeys(redis, prefix)).sort();
    expect(keys).toEqual([`${prefix}:sync:c-1:history`, `${prefix}:sync:c-2:history`]);
    expect(await redis.llen(`${prefix}:sync:c-1:history`)).toBe(3);
    const ttl = await redis.ttl(`${prefix}:sync:c-1:history`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(600);
  });

  it('leaves out an entry it cannot read instead of failing the page', async () => {
    const redis = testRedis();
    const prefix = uniqueName('relay');
    const history = new RedisSiteHistory(redis, { prefix, maxSamples: 10, ttlSeconds: 600 });
    await history.record('c-1', { at: 1000, lagSeconds: 5, webhookCoverage: 1 });
    await redis.lpush(`${prefix}:sync:c-1:history`, 'not json', '{"at":1}');
    expect(await history.read('c-1')).toEqual([{ at: 1000, lagSeconds: 5, webhookCoverage: 1 }]);
  });
});

import { describe, expect, it } from 'vitest';
import { scanKeys } from '../../helpers/redis-keys.ts';
import { consent, pathOf, startConsent, startTokenStack } from '../tokens/token-stack.ts';

/**
 * Issue 17, "Anyone can call /oauth/start": connecting a site is an operator's act. Without a
 * single-use connect link from the admin API nothing is written and no consent starts; a link for
 * one site connects that site only; the start is rate-limited; repeated parameters get 400.
 */
describe('/oauth/start is only for an operator', () => {
  it('refuses a start without a connect link, or with an unknown one, and writes nothing to Redis', async () => {
    const stack = await startTokenStack();
    const before = await scanKeys(stack.redis, stack.keyPrefix);
    for (const url of [
      '/oauth/start',
      '/oauth/start?link=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      '/oauth/start?link=x',
    ]) {
      const res = await stack.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(403);
      expect(res.headers.location).toBeUndefined();
    }
    const written = (await scanKeys(stack.redis, stack.keyPrefix)).filter((k) => !before.includes(k));
    expect(written.every((k) => k.includes(':limit:oauth-start:'))).toBe(true);
  });

  it('takes a connect link once: the second use is refused', async () => {
    const stack = await startTokenStack();
    const { token } = await stack.services.connectLinks.issue({ site: null }, Date.now());
    const first = await stack.app.inject({ method: 'GET', url: `/oauth/start?link=${token}` });
    expect(first.statusCode).toBe(302);
    const again = await stack.app.inject({ method: 'GET', url: `/oauth/start?link=${token}` });
    expect(again.statusCode).toBe(403);
  });

  it('connects only the site a link names, though the account reaches more', async () => {
    const stack = await startTokenStack({ sim: { sites: 2 } });
    const [wanted, other] = stack.sim.sites;
    if (!wanted || !other) throw new Error('two sites needed');
    const { cookie, authorizeUrl } = await startConsent(stack, undefined, wanted.host);
    const authorize = await fetch(authorizeUrl, { redirect: 'manual' });
    const callback = pathOf(authorize.headers.get('location') ?? '');
    const done = await stack.app.inject({ method: 'GET', url: callback, headers: { cookie } });
    expect(done.statusCode).toBe(200);
    const connected = await stack.services.connections.list();
    expect(connected.map((c) => c.siteHost)).toEqual([wanted.host]);
  });

  it('answers 429 past OAUTH_START_MAX_PER_MINUTE from one address', async () => {
    const stack = await startTokenStack({ env: { OAUTH_START_MAX_PER_MINUTE: '3' } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await stack.app.inject({ method: 'GET', url: '/oauth/start' })).statusCode);
    expect(statuses).toEqual([403, 403, 403, 429, 429]);
  });

  it('answers 400, not 500, to repeated query parameters on the start and the callback', async () => {
    const stack = await startTokenStack();
    await consent(stack);
    for (const url of [
      '/oauth/callback?state=a&state=b',
      '/oauth/callback?error=a&error=b',
      '/oauth/callback?code=a&code=b&state=c',
      '/oauth/start?link=a&link=b',
    ]) {
      const res = await stack.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(400);
    }
  });
});

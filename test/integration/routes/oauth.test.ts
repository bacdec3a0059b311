import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { consent, pathOf, startConsent, startTokenStack } from '../tokens/token-stack.ts';

describe('OAuth consent through /oauth/start and /oauth/callback', () => {
  it('redirects to Atlassian with every required parameter and a state bound to an HttpOnly cookie', async () => {
    const stack = await startTokenStack();
    const { token } = await stack.services.connectLinks.issue({ site: null }, Date.now());
    const start = await stack.app.inject({ method: 'GET', url: `/oauth/start?link=${token}` });

    expect(start.statusCode).toBe(302);
    const target = new URL(String(start.headers.location));
    expect(`${target.origin}${target.pathname}`).toBe(`${stack.sim.url}/authorize`);
    const q = Object.fromEntries(target.searchParams);
    expect(q).toMatchObject({
      audience: 'api.atlassian.com',
      client_id: stack.sim.clientId,
      redirect_uri: 'http://relay.test/oauth/callback',
      response_type: 'code',
      prompt: 'consent',
    });
    expect(q.scope?.split(' ')).toContain('offline_access');
    expect(Buffer.from(q.state ?? '', 'base64url')).toHaveLength(32);
    const cookie = String(start.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toContain(q.state);
  });

  it('creates one connection per site; consenting again creates none; a second account adds its grant', async () => {
    const stack = await startTokenStack({ sim: { sites: 2 } });
    const [alice, bob] = stack.sim.users;
    if (!alice || !bob) throw new Error('the simulator needs two users');

    const first = await consent(stack, alice.accountId);
    expect(first.status).toBe(200);
    for (const site of stack.sim.sites) expect(first.html).toContain(site.host);
    const afterFirst = await stack.services.connections.list();
    expect(afterFirst.map((c) => c.cloudId).sort()).toEqual(stack.sim.sites.map((s) => s.cloudId).sort());
    expect(afterFirst.every((c) => c.status === 'active' && c.accountIds.join() === alice.accountId)).toBe(
      true,
    );
    expect(stack.connectedCalls).toHaveLength(1);
    expect(stack.connectedCalls[0]?.map((c) => c.id).sort()).toEqual(afterFirst.map((c) => c.id).sort());

    expect((await consent(stack, alice.accountId)).status).toBe(200);
    const afterAgain = await stack.services.connections.list();
    expect(afterAgain.map((c) => [c.id, c.accountIds])).toEqual(afterFirst.map((c) => [c.id, c.accountIds]));

    expect((await consent(stack, bob.accountId)).status).toBe(200);
    const afterBob = await stack.services.connections.list();
    expect(afterBob.map((c) => c.id)).toEqual(afterFirst.map((c) => c.id));
    for (const c of afterBob) expect(c.accountIds).toEqual([alice.accountId, bob.accountId]);
    expect(await stack.services.tokenStore.get(bob.accountId)).toMatchObject({ status: 'active' });

    const site = stack.sim.sites[0];
    const byHost = await stack.services.connections.findBySiteHost(site?.host ?? '');
    expect(byHost).toMatchObject({ cloudId: site?.cloudId, siteUrl: site?.url, name: site?.name });
    expect(byHost?.scopes).toContain('read:jira-work');
    expect(stack.sim.stats().tokenRequests).toEqual({ authorization_code: 3 });
  });

  it('answers a callback without state with a 400 that says so, and exchanges nothing', async () => {
    const stack = await startTokenStack();
    const response = await stack.app.inject({ method: 'GET', url: '/oauth/callback?code=abc' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('no state parameter');
    expect(stack.sim.stats().tokenRequests).toEqual({});
  });

  it('refuses a state used from another browser (no or another cookie)', async () => {
    const stack = await startTokenStack();
    const { authorizeUrl } = await startConsent(stack);
    const authorize = await fetch(authorizeUrl, { redirect: 'manual' });
    const callback = pathOf(authorize.headers.get('location') ?? '');
    const other = await startConsent(stack);

    const response = await stack.app.inject({
      method: 'GET',
      url: callback,
      headers: { cookie: other.cookie },
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('not started from this browser');
    expect(await stack.services.connections.list()).toEqual([]);

    const forged = await stack.app.inject({ method: 'GET', url: '/oauth/callback?code=x&state=made-up' });
    expect(forged.statusCode).toBe(400);
    expect(forged.body).toContain('not started from this browser');
    expect(stack.sim.stats().tokenRequests).toEqual({});
  });

  it('refuses a state used twice', async () => {
    const stack = await startTokenStack();
    const done = await consent(stack);
    expect(done.status).toBe(200);

    const replay = await stack.app.inject({
      method: 'GET',
      url: done.callback,
      headers: { cookie: done.cookie },
    });
    expect(replay.statusCode).toBe(400);
    expect(replay.body).toContain('already used');
    expect(stack.sim.stats().tokenRequests).toEqual({ authorization_code: 1 });
  });

  it('refuses a state past its lifetime', async () => {
    const stack = await startTokenStack({ env: { OAUTH_STATE_TTL_SECONDS: '1' } });
    const { cookie, authorizeUrl } = await startConsent(stack);
    const authorize = await fetch(authorizeUrl, { redirect: 'manual' });
    await sleep(1100);

    const url = pathOf(authorize.headers.get('location') ?? '');
    const response = await stack.app.inject({ method: 'GET', url, headers: { cookie } });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('expired');
    expect(stack.sim.stats().tokenRequests).toEqual({});
  });

  it('shows a page saying the user declined when Atlassian returns access_denied', async () => {
    const stack = await startTokenStack({ sim: { autoConsent: false } });
    const { cookie, authorizeUrl } = await startConsent(stack);
    const q = new URL(authorizeUrl).searchParams;
    const form = new URLSearchParams({
      client_id: q.get('client_id') ?? '',
      redirect_uri: q.get('redirect_uri') ?? '',
      scope: q.get('scope') ?? '',
      state: q.get('state') ?? '',
      audience: 'api.atlassian.com',
      decision: 'deny',
    });
    const denied = await fetch(`${stack.sim.url}/authorize/consent`, {
      method: 'POST',
      body: form,
      redirect: 'manual',
    });
    const callback = pathOf(denied.headers.get('location') ?? '');
    expect(callback).toContain('error=access_denied');

    const response = await stack.app.inject({ method: 'GET', url: callback, headers: { cookie } });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('You declined access');
    expect(await stack.services.connections.list()).toEqual([]);
    expect(stack.sim.stats().tokenRequests).toEqual({});
  });

  it('escapes what Atlassian (or an attacker) puts in the query', async () => {
    const stack = await startTokenStack();
    const response = await stack.app.inject({
      method: 'GET',
      url: `/oauth/callback?error=${encodeURIComponent('<script>alert(1)</script>')}&error_description=${encodeURIComponent('"><img src=x>')}`,
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).not.toContain('<script>');
    expect(response.body).not.toContain('<img');
    expect(response.body).toContain('&lt;script&gt;');
  });

  it('connects only the sites in OAUTH_ALLOWED_SITES and names the others on the page', async () => {
    const probe = await startTokenStack();
    const [allowed, other] = probe.sim.sites;
    if (!allowed || !other) throw new Error('the simulator has two sites');
    const stack = await startTokenStack({ env: { OAUTH_ALLOWED_SITES: allowed.host.toUpperCase() } });
    const result = await consent(stack);
    expect(result.status).toBe(200);
    expect(result.html).toContain('not in its allowed list');
    expect(result.html).toContain(other.host);
    expect((await stack.services.connections.list()).map((c) => c.siteHost)).toEqual([allowed.host]);
  });

  it('refuses with a 403 and stores nothing when no granted site is allowed', async () => {
    const stack = await startTokenStack({ env: { OAUTH_ALLOWED_SITES: 'elsewhere.atlassian.net' } });
    const result = await consent(stack);
    expect(result.status).toBe(403);
    expect(result.html).toContain('Nothing was connected');
    expect(await stack.services.connections.list()).toEqual([]);
  });

  it('reports a stored connection whose follow-up jobs could not be scheduled, so the user can retry', async () => {
    const stack = await startTokenStack({
      onConnected: async () => {
        throw new Error('queue unavailable');
      },
    });
    const result = await consent(stack);
    expect(result.status).toBe(503);
    expect(result.html).toContain('could not be scheduled');
    expect(await stack.services.connections.list()).toHaveLength(stack.sim.sites.length);
  });
});

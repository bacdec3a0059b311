import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.ts';
import { authorizeCode, obtainTokens, type TokenPair } from '../../sim/test-client.ts';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, issuesPerSite: 20 });
});
afterAll(async () => {
  await sim.close();
});

const REDIRECT = 'http://127.0.0.1/callback';

async function token(
  body: Record<string, string>,
  form = false,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${sim.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' },
    body: form ? new URLSearchParams(body).toString() : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const refresh = (refreshToken: string, form = false) =>
  token(
    {
      grant_type: 'refresh_token',
      client_id: sim.clientId,
      client_secret: sim.clientSecret,
      refresh_token: refreshToken,
    },
    form,
  );

async function api(path: string, accessToken: string): Promise<Response> {
  return fetch(`${sim.url}${path}`, { headers: { authorization: `Bearer ${accessToken}` } });
}

const myself = (t: TokenPair | string) =>
  api(`/ex/jira/${sim.sites[0]?.cloudId}/rest/api/3/myself`, typeof t === 'string' ? t : t.access_token);

describe('authorize', () => {
  it('redirects to the callback with a code and the state', async () => {
    const params = new URLSearchParams({
      audience: 'api.atlassian.com',
      client_id: sim.clientId,
      scope: 'read:jira-work offline_access',
      redirect_uri: REDIRECT,
      state: 'abc123',
      response_type: 'code',
      prompt: 'consent',
    });
    const res = await fetch(`${sim.url}/authorize?${params}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe('abc123');
    expect(location.searchParams.get('code')).toMatch(/\S{20,}/);
  });

  it('refuses a wrong client_id with an error page and a missing audience with an error redirect', async () => {
    const base = {
      audience: 'api.atlassian.com',
      client_id: sim.clientId,
      scope: 'read:jira-work',
      redirect_uri: REDIRECT,
      response_type: 'code',
    };
    const wrongClient = await fetch(
      `${sim.url}/authorize?${new URLSearchParams({ ...base, client_id: 'nope' })}`,
      { redirect: 'manual' },
    );
    expect(wrongClient.status).toBe(400);
    const { audience: _, ...noAudience } = base;
    const res = await fetch(`${sim.url}/authorize?${new URLSearchParams(noAudience)}`, {
      redirect: 'manual',
    });
    expect(new URL(res.headers.get('location') ?? '').searchParams.get('error')).toBe('invalid_request');
  });
});

describe('authorization code', () => {
  it('is exchanged once; a second exchange is refused', async () => {
    const code = await authorizeCode(sim.url, { redirectUri: REDIRECT });
    const body = {
      grant_type: 'authorization_code',
      client_id: sim.clientId,
      client_secret: sim.clientSecret,
      code,
      redirect_uri: REDIRECT,
    };
    const first = await token(body);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(first.json.scope).toContain('read:jira-work');
    expect(typeof first.json.refresh_token).toBe('string');
    const second = await token(body);
    expect(second.status).toBe(403);
    expect(second.json.error).toBe('invalid_grant');
  });

  it('gives no refresh token without offline_access', async () => {
    const tokens = await obtainTokens(sim.url, { scopes: ['read:jira-work', 'read:jira-user'] });
    expect(tokens.refresh_token).toBeUndefined();
  });

  it('refuses a wrong client secret', async () => {
    const code = await authorizeCode(sim.url);
    const res = await token({
      grant_type: 'authorization_code',
      client_id: sim.clientId,
      client_secret: 'wrong',
      code,
      redirect_uri: REDIRECT,
    });
    expect(res.status).toBe(401);
  });
});

describe('rotating refresh tokens', () => {
  it('rotates on every refresh (form body too) and the new access token works', async () => {
    const first = await obtainTokens(sim.url);
    const rotated = await refresh(first.refresh_token as string, true);
    expect(rotated.status).toBe(200);
    expect(rotated.json.refresh_token).not.toBe(first.refresh_token);
    expect((await myself(rotated.json.access_token as string)).status).toBe(200);
  });

  it('accepts the used refresh token inside the reuse window, then revokes the whole family on reuse', async () => {
    const first = await obtainTokens(sim.url);
    const r1 = await refresh(first.refresh_token as string);
    sim.clock.advance(5 * 60_000);
    const retry = await refresh(first.refresh_token as string);
    expect(retry.status).toBe(200); // a lost response may be retried within 10 minutes
    const newest = retry.json;
    sim.clock.advance(6 * 60_000); // 11 minutes after the first rotation
    const late = await refresh(first.refresh_token as string);
    expect(late.status).toBe(403);
    expect(late.json).toEqual({
      error: 'invalid_grant',
      error_description: 'Unknown or invalid refresh token.',
    });
    // breach detection: every token of the family is dead now, even the newest pair
    expect((await refresh(newest.refresh_token as string)).status).toBe(403);
    expect((await refresh(r1.json.refresh_token as string)).status).toBe(403);
    expect((await myself(newest.access_token as string)).status).toBe(401);
  });

  it('revokes the whole grant on reuse after the window: a second family of the same grant dies too', async () => {
    const user = sim.users[4]?.accountId as string;
    // Two consents of one account: one grant (account-level) with two refresh-token families.
    const first = await obtainTokens(sim.url, { loginHint: user });
    const second = await obtainTokens(sim.url, { loginHint: user });
    expect(((await (await myself(second)).json()) as { accountId: string }).accountId).toBe(user);
    const rotated = await refresh(first.refresh_token as string);
    expect(rotated.status).toBe(200);
    sim.clock.advance(11 * 60_000);
    expect((await myself(second)).status).toBe(200); // the other family is untouched until the breach

    const late = await refresh(first.refresh_token as string);
    expect(late.status).toBe(403);
    expect(late.json.error).toBe('invalid_grant');

    expect((await myself(second)).status).toBe(401);
    const secondRefresh = await refresh(second.refresh_token as string);
    expect(secondRefresh.status).toBe(403);
    expect(secondRefresh.json).toEqual({
      error: 'invalid_grant',
      error_description: 'Unknown or invalid refresh token.',
    });
    expect((await myself(rotated.json.access_token as string)).status).toBe(401);
    // The user consents again: a new grant, which works.
    const fresh = await obtainTokens(sim.url, { loginHint: user });
    expect((await myself(fresh)).status).toBe(200);
    expect((await refresh(fresh.refresh_token as string)).status).toBe(200);
  });

  it('revokes the old access token when the grace window after a rotation ends', async () => {
    const first = await obtainTokens(sim.url);
    await refresh(first.refresh_token as string);
    expect((await myself(first)).status).toBe(200);
    sim.clock.advance(10 * 60_000 + 1000);
    expect((await myself(first)).status).toBe(401);
  });

  it('answers an unknown refresh token with invalid_grant', async () => {
    const res = await refresh('not-a-token');
    expect(res.status).toBe(403);
    expect(res.json.error).toBe('invalid_grant');
  });
});

describe('access tokens', () => {
  it('expire after expires_in and on demand, giving 401 with the gateway body', async () => {
    const a = await obtainTokens(sim.url);
    sim.clock.advance(3600_000);
    const res = await myself(a);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ code: 401, message: 'Unauthorized' });
    const b = await obtainTokens(sim.url);
    expect(sim.expireAccessTokens()).toBeGreaterThan(0);
    expect((await myself(b)).status).toBe(401);
  });

  it('are refused without a bearer token', async () => {
    const res = await fetch(`${sim.url}/ex/jira/${sim.sites[0]?.cloudId}/rest/api/3/myself`);
    expect(res.status).toBe(401);
  });
});

describe('grants and accounts', () => {
  it('lets a second account consent and see its own identity', async () => {
    const second = sim.users[1];
    sim.setNextConsentUser(second?.accountId as string);
    const tokens = await obtainTokens(sim.url);
    const me = (await (await myself(tokens)).json()) as Record<string, unknown>;
    expect(me.accountId).toBe(second?.accountId);
    expect(me.timeZone).toBe(second?.timeZone);
    const third = sim.users[2];
    const viaHint = await obtainTokens(sim.url, { loginHint: third?.email as string });
    const me3 = (await (await myself(viaHint)).json()) as Record<string, unknown>;
    expect(me3.accountId).toBe(third?.accountId);
    // the one-shot choice is used up: the default account consents again
    const again = await obtainTokens(sim.url);
    expect(((await (await myself(again)).json()) as Record<string, unknown>).accountId).toBe(
      sim.users[0]?.accountId,
    );
  });

  it('revoking a grant kills its tokens with unauthorized_client on refresh', async () => {
    const user = sim.users[3]?.accountId as string;
    const tokens = await obtainTokens(sim.url, { loginHint: user });
    expect(sim.revokeGrant(user)).toBe(true);
    expect((await myself(tokens)).status).toBe(401);
    const res = await refresh(tokens.refresh_token as string);
    expect(res.status).toBe(403);
    expect(res.json.error).toBe('unauthorized_client');
    // a new consent creates a new grant that works
    const fresh = await obtainTokens(sim.url, { loginHint: user });
    expect((await myself(fresh)).status).toBe(200);
  });

  it('lists accessible resources and /me as Atlassian documents them', async () => {
    const tokens = await obtainTokens(sim.url);
    const resources = (await (
      await api('/oauth/token/accessible-resources', tokens.access_token)
    ).json()) as Array<Record<string, unknown>>;
    expect(resources.map((r) => r.id)).toEqual(sim.sites.map((s) => s.cloudId));
    expect(resources[0]).toMatchObject({ url: sim.sites[0]?.url, name: sim.sites[0]?.name });
    expect(resources[0]?.scopes).toContain('read:jira-work');
    expect(resources[0]?.scopes).not.toContain('offline_access');
    const me = (await (await api('/me', tokens.access_token)).json()) as Record<string, unknown>;
    expect(me).toMatchObject({
      account_id: sim.users[0]?.accountId,
      email: sim.users[0]?.email,
      account_type: 'atlassian',
    });
  });
});

describe('consent page (auto-consent off, for the browser demo)', () => {
  it('shows an Accept button and redirects with a code for the chosen account once accepted', async () => {
    const manual = await startSimulator({ port: 0, issuesPerSite: 1, autoConsent: false });
    try {
      const params = new URLSearchParams({
        audience: 'api.atlassian.com',
        client_id: manual.clientId,
        scope: 'read:jira-work read:jira-user',
        redirect_uri: REDIRECT,
        state: 's1',
        response_type: 'code',
      });
      const page = await fetch(`${manual.url}/authorize?${params}`, { redirect: 'manual' });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('value="accept"');
      const chosen = manual.users[2]?.accountId as string;
      const form = new URLSearchParams({
        client_id: manual.clientId,
        redirect_uri: REDIRECT,
        scope: 'read:jira-work read:jira-user',
        state: 's1',
        account_id: chosen,
        decision: 'accept',
      });
      const accepted = await fetch(`${manual.url}/authorize/consent`, {
        method: 'POST',
        body: form,
        redirect: 'manual',
      });
      const location = new URL(accepted.headers.get('location') ?? '');
      expect(location.searchParams.get('state')).toBe('s1');
      const exchanged = await fetch(`${manual.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: manual.clientId,
          client_secret: manual.clientSecret,
          code: location.searchParams.get('code') ?? '',
          redirect_uri: REDIRECT,
        }),
      });
      const tokens = (await exchanged.json()) as TokenPair;
      const me = await fetch(`${manual.url}/ex/jira/${manual.sites[0]?.cloudId}/rest/api/3/myself`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      expect(((await me.json()) as { accountId: string }).accountId).toBe(chosen);
      form.set('decision', 'deny');
      const denied = await fetch(`${manual.url}/authorize/consent`, {
        method: 'POST',
        body: form,
        redirect: 'manual',
      });
      expect(new URL(denied.headers.get('location') ?? '').searchParams.get('error')).toBe('access_denied');
    } finally {
      await manual.close();
    }
  });
});

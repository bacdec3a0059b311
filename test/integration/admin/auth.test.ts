import type { InjectOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createAdminCredentials } from '../../../src/admin/admin-credentials.ts';
import { adminSessionCookie } from '../../../src/admin/admin-plugin.ts';
import { type AdminStack, adminRoutesOnly, adminToken, startAdminStack } from './admin-stack.ts';

/** Every kind of thing under /admin: the API, its docs, Bull Board's page, assets and own API, a 404. */
const protectedPaths = [
  '/admin/api/connections',
  '/admin/api/dead-letters',
  '/admin/api/docs',
  '/admin/queues',
  '/admin/queues/queue/jira-changes',
  '/admin/queues/api/queues',
  '/admin/queues/api/redis/stats',
  '/admin/queues/static/favicon-32x32.png',
  '/admin/queues/static/images/logo.svg',
  '/admin/no-such-page',
];

async function signIn(stack: AdminStack, token: string, next?: string) {
  return stack.app.inject({
    method: 'POST',
    url: '/admin/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ token, ...(next ? { next } : {}) }).toString(),
  });
}

function sessionOf(setCookie: string | string[] | undefined): string {
  const header = Array.isArray(setCookie) ? setCookie.join('\n') : (setCookie ?? '');
  const value = new RegExp(`${adminSessionCookie}=([^;]*)`).exec(header)?.[1];
  if (!value) throw new Error(`no session cookie in ${header}`);
  return decodeURIComponent(value);
}

async function get(stack: AdminStack, url: string, headers: Record<string, string> = {}) {
  return stack.app.inject({ method: 'GET', url, headers });
}

describe('admin authentication', () => {
  it('answers API clients without a token with 401 and no data, on every kind of admin route', async () => {
    const stack = await startAdminStack();
    await stack.queues.changes.add('issue.updated', { secret: 'customer data' });
    for (const url of protectedPaths) {
      const response = await get(stack, url, { accept: 'application/json' });
      expect(response.statusCode, url).toBe(401);
      expect(response.headers['www-authenticate'], url).toMatch(/^Bearer/);
      expect(response.json(), url).toMatchObject({ error: 'UNAUTHENTICATED' });
      expect(response.body, url).not.toMatch(/jira-changes|customer data|openapi/);
    }
    const post = await stack.app.inject({
      method: 'POST',
      url: '/admin/queues/api/queues/jira-changes/empty',
    });
    expect(post.statusCode).toBe(401);
    expect(await stack.queues.changes.getWaitingCount()).toBe(1);
  });

  it('puts every route registered under /admin behind the check (Bull Board assets and API included)', async () => {
    const stack = await startAdminStack();
    const { app, routes } = await adminRoutesOnly(stack.deps);
    const open = new Set(['/admin/login', '/admin/logout']);
    const checked: string[] = [];
    for (const route of routes) {
      if (open.has(route.url)) continue;
      const url = route.url
        .replace(':queueName', 'jira-changes')
        .replace(/:[A-Za-z]+/g, 'x')
        .replace(/\*$/, 'favicon-32x32.png');
      for (const method of [route.method].flat()) {
        const withBody = method !== 'GET' && method !== 'HEAD';
        const response = await app.inject({
          method: method as NonNullable<InjectOptions['method']>,
          url,
          ...(withBody ? { payload: {} } : {}),
        });
        expect(response.statusCode, `${method} ${url}`).toBe(401);
        checked.push(`${method} ${url}`);
      }
    }
    expect(checked).toContain('GET /admin/queues/static/favicon-32x32.png');
    expect(checked).toContain('PUT /admin/queues/api/queues/jira-changes/empty');
    expect(checked.length).toBeGreaterThan(50);
  });

  it('sends a browser without a session to the login form, keeping where it wanted to go', async () => {
    const stack = await startAdminStack();
    const response = await get(stack, '/admin/queues/queue/jira-changes', { accept: 'text/html,*/*' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/admin/login?next=%2Fadmin%2Fqueues%2Fqueue%2Fjira-changes');

    const form = await get(stack, String(response.headers.location), { accept: 'text/html' });
    expect(form.statusCode).toBe(200);
    expect(form.headers['content-type']).toMatch(/text\/html/);
    expect(form.body).toContain('<form method="post" action="/admin/login">');
    expect(form.body).toContain('value="/admin/queues/queue/jira-changes"');
  });

  it('refuses a wrong bearer token, even one that shares a prefix, and a malformed header', async () => {
    const stack = await startAdminStack();
    for (const authorization of [
      'Bearer wrong-token-0123456789',
      `Bearer ${adminToken}x`,
      `Bearer ${adminToken.slice(0, -1)}`,
      `Basic ${Buffer.from(`admin:${adminToken}`).toString('base64')}`,
      adminToken,
      'Bearer',
    ]) {
      const response = await get(stack, '/admin/api/connections', { authorization });
      expect(response.statusCode, authorization).toBe(401);
    }
  });

  it('lets the bearer token through to the API, the dashboard, its assets and its own API', async () => {
    const stack = await startAdminStack();
    const headers = { authorization: `Bearer ${adminToken}` };
    expect((await get(stack, '/admin/api/connections', headers)).statusCode).toBe(200);
    const page = await get(stack, '/admin/queues', { ...headers, accept: 'text/html' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<base href="/admin/queues/" />');
    expect((await get(stack, '/admin/queues/static/favicon-32x32.png', headers)).statusCode).toBe(200);

    await stack.queues.changes.add('issue.updated', { n: 1 });
    const board = await get(stack, '/admin/queues/api/queues', headers);
    expect(board.statusCode).toBe(200);
    const queues = (board.json() as { queues: { name: string; counts: Record<string, number> }[] }).queues;
    expect(queues.map((q) => q.name).sort()).toEqual([
      'jira-changes',
      'jira-events',
      'jira-sync',
      'maintenance',
    ]);
    expect(queues.find((q) => q.name === 'jira-changes')?.counts.waiting).toBe(1);

    expect((await get(stack, '/admin/no-such-page', headers)).statusCode).toBe(404);
  });

  it('signs a browser in with the form: an HttpOnly, SameSite=Strict cookie without the token in it', async () => {
    const stack = await startAdminStack();
    const wrong = await signIn(stack, 'not-the-admin-token');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('That token is not valid.');
    expect(wrong.headers['set-cookie']).toBeUndefined();

    const right = await signIn(stack, adminToken, '/admin/queues/queue/jira-sync');
    expect(right.statusCode).toBe(303);
    expect(right.headers.location).toBe('/admin/queues/queue/jira-sync');
    const setCookie = String(right.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\/admin/);
    expect(setCookie).not.toMatch(/Secure/);
    const session = sessionOf(right.headers['set-cookie']);
    expect(session).not.toContain(adminToken);
    expect(setCookie).not.toContain(encodeURIComponent(adminToken));

    const cookie = `${adminSessionCookie}=${encodeURIComponent(session)}`;
    expect((await get(stack, '/admin/api/connections', { cookie })).statusCode).toBe(200);
    expect((await get(stack, '/admin/queues/api/queues', { cookie })).statusCode).toBe(200);
    const again = await get(stack, '/admin/login?next=%2Fadmin%2Fapi%2Fdocs', { cookie });
    expect(again.headers.location).toBe('/admin/api/docs');
  });

  it('marks the cookie Secure when PUBLIC_URL is https, and never redirects off the admin surface', async () => {
    const stack = await startAdminStack({ publicUrl: 'https://relay.example.com' });
    for (const next of [
      'https://evil.example/',
      '//evil.example/',
      '/\\evil.example',
      '/oauth/start',
      'javascript:alert(1)',
    ]) {
      const response = await signIn(stack, adminToken, next);
      expect(response.statusCode, next).toBe(303);
      expect(response.headers.location, next).toBe('/admin/queues');
      expect(String(response.headers['set-cookie'])).toMatch(/; Secure/);
    }
  });

  it('refuses forged, tampered, foreign and expired session cookies', async () => {
    const stack = await startAdminStack({ sessionSeconds: 600 });
    const genuine = sessionOf((await signIn(stack, adminToken)).headers['set-cookie']);
    const [version, expiry, mac] = genuine.split('.');
    const foreign = createAdminCredentials('another-admin-token-456', 600_000).issueSession(stack.clock.now);
    const forgeries = {
      'the token itself': adminToken,
      'a made-up MAC': `v1.${Number(expiry) + 10_000}.${'A'.repeat(43)}`,
      'a later expiry with the real MAC': `${version}.${Number(expiry) + 86_400}.${mac}`,
      'another token signed it': foreign,
      'a truncated MAC': `${version}.${expiry}.${mac?.slice(0, 20)}`,
      garbage: 'x',
    };
    for (const [name, value] of Object.entries(forgeries)) {
      const response = await get(stack, '/admin/api/connections', {
        cookie: `${adminSessionCookie}=${encodeURIComponent(value)}`,
      });
      expect(response.statusCode, name).toBe(401);
    }

    const cookie = `${adminSessionCookie}=${encodeURIComponent(genuine)}`;
    expect((await get(stack, '/admin/api/connections', { cookie })).statusCode).toBe(200);
    stack.clock.now += 601_000;
    expect((await get(stack, '/admin/api/connections', { cookie })).statusCode).toBe(401);
  });

  it('signs out by clearing the cookie', async () => {
    const stack = await startAdminStack();
    const response = await stack.app.inject({ method: 'POST', url: '/admin/logout' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/admin/login');
    expect(String(response.headers['set-cookie'])).toMatch(
      new RegExp(`${adminSessionCookie}=;.*Expires=Thu, 01 Jan 1970`),
    );
  });

  it('serves the dashboard page without links to remote fonts, and its assets unchanged', async () => {
    const stack = await startAdminStack();
    const page = await get(stack, '/admin/queues', { authorization: `Bearer ${adminToken}` });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('jira-relay');
    expect(page.body).not.toMatch(/fonts\.(googleapis|gstatic)\.com/);
    const logo = await get(stack, '/admin/queues/static/images/logo.svg', {
      authorization: `Bearer ${adminToken}`,
    });
    expect(logo.statusCode).toBe(200);
    expect(logo.body).toContain('<svg');
  });

  it('refuses to check more tokens from an address after too many wrong ones, bearer and sign-in form alike', async () => {
    const stack = await startAdminStack({ maxAuthFailures: 3 });
    const from = (remoteAddress: string, token: string) =>
      stack.app.inject({
        method: 'GET',
        url: '/admin/api/connections',
        remoteAddress,
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await from('198.51.100.7', `${adminToken}x`)).statusCode).toBe(401);
    expect((await from('198.51.100.7', `${adminToken}y`)).statusCode).toBe(401);
    const form = await stack.app.inject({
      method: 'POST',
      url: '/admin/login',
      remoteAddress: '198.51.100.7',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ token: 'guess' }).toString(),
    });
    expect(form.statusCode).toBe(401);
    // The right token is not even checked now: guessing gains nothing.
    const locked = await from('198.51.100.7', adminToken);
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.json()).toMatchObject({ error: 'TOO_MANY_FAILURES' });
    const lockedForm = await stack.app.inject({
      method: 'POST',
      url: '/admin/login',
      remoteAddress: '198.51.100.7',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ token: adminToken }).toString(),
    });
    expect(lockedForm.statusCode).toBe(429);
    expect(lockedForm.body).toContain('Too many wrong tokens');
    // Another address, and a session cookie (never counted), are unaffected.
    expect((await from('198.51.100.8', adminToken)).statusCode).toBe(200);
  });

  it('does not count expired or foreign session cookies, so a polling dashboard cannot lock its operator out', async () => {
    const stack = await startAdminStack({ maxAuthFailures: 2 });
    for (let i = 0; i < 5; i++) {
      const response = await stack.app.inject({
        method: 'GET',
        url: '/admin/queues/api/queues',
        remoteAddress: '198.51.100.9',
        headers: { cookie: `${adminSessionCookie}=forged.value`, accept: 'application/json' },
      });
      expect(response.statusCode).toBe(401);
    }
    const withToken = await stack.app.inject({
      method: 'GET',
      url: '/admin/api/connections',
      remoteAddress: '198.51.100.9',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(withToken.statusCode).toBe(200);
  });
});

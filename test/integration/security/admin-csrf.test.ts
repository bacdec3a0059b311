import { describe, expect, it } from 'vitest';
import { adminSessionCookie } from '../../../src/admin/admin-plugin.ts';
import { type AdminStack, adminToken, startAdminStack } from '../admin/admin-stack.ts';

const ours = 'http://relay.test'; // the stack's PUBLIC_URL
const evil = 'https://evil.example';
const emptyChanges = '/admin/queues/api/queues/jira-changes/empty';

function signIn(stack: AdminStack, headers: Record<string, string>) {
  return stack.app.inject({
    method: 'POST',
    url: '/admin/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams({ token: adminToken }).toString(),
  });
}

async function sessionCookie(stack: AdminStack): Promise<string> {
  const response = await signIn(stack, { origin: ours });
  const value = new RegExp(`${adminSessionCookie}=([^;]*)`).exec(String(response.headers['set-cookie']))?.[1];
  if (!value) throw new Error(`no session: ${response.statusCode}`);
  return `${adminSessionCookie}=${value}`;
}

/**
 * Issue 17, "CSRF on admin forms rests on SameSite alone": a page on another origin (a sibling
 * subdomain is "same site" to SameSite=Strict) makes the operator's browser post a form. Forms and
 * session-cookie levers must come from PUBLIC_URL's origin; bearer-token API calls are not forms.
 */
describe('admin forms from another origin', () => {
  it('refuses a cross-origin sign-in and cross-origin levers with 403, and nothing happens', async () => {
    const stack = await startAdminStack();
    const login = await signIn(stack, { origin: evil });
    expect(login.statusCode).toBe(403);
    expect(login.headers['set-cookie']).toBeUndefined();

    const cookie = await sessionCookie(stack);
    await stack.queues.changes.add('issue.updated', { n: 1 });
    for (const headers of [
      { origin: evil },
      { origin: 'null' },
      { origin: 'http://relay.test.evil.example' },
      { referer: `${evil}/page` },
    ]) {
      const lever = await stack.app.inject({
        method: 'PUT',
        url: emptyChanges,
        headers: { cookie, ...headers },
      });
      expect(lever.statusCode, JSON.stringify(headers)).toBe(403);
      expect(lever.json()).toMatchObject({ error: 'FORBIDDEN' });
    }
    const logout = await stack.app.inject({
      method: 'POST',
      url: '/admin/logout',
      headers: { cookie, origin: evil },
    });
    expect(logout.statusCode).toBe(403);
    expect(await stack.queues.changes.getWaitingCount()).toBe(1);

    // From the relay's own pages the same lever works; so does a script with the bearer token.
    const same = await stack.app.inject({
      method: 'PUT',
      url: emptyChanges,
      headers: { cookie, origin: ours },
    });
    expect(same.statusCode).toBe(200);
    expect(await stack.queues.changes.getWaitingCount()).toBe(0);
    await stack.queues.changes.add('issue.updated', { n: 2 });
    const byReferer = await stack.app.inject({
      method: 'PUT',
      url: emptyChanges,
      headers: { cookie, referer: `${ours}/admin/queues/queue/jira-changes` },
    });
    expect(byReferer.statusCode).toBe(200);
    const api = await stack.app.inject({
      method: 'PUT',
      url: emptyChanges,
      headers: { authorization: `Bearer ${adminToken}`, origin: evil },
    });
    expect(api.statusCode).toBe(200);
  });
});

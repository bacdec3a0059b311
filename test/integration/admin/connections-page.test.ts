import { describe, expect, it } from 'vitest';
import { syncJobs } from '../../../src/sync/sync-jobs.ts';
import { type AdminStack, adminToken, startAdminStack, waitingJobs } from './admin-stack.ts';

const unknownId = '00000000-0000-4000-8000-000000000000';

/** A lever posted as the confirmation page's form does (bearer token instead of the session). */
async function post(stack: AdminStack, url: string, form: Record<string, string> = {}) {
  const response = await stack.app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(form).toString(),
  });
  const cookie = String(response.headers['set-cookie'] ?? '').split(';')[0] ?? '';
  return { status: response.statusCode, location: response.headers.location, cookie, body: response.body };
}

/** The page as the browser sees it after the redirect, with the flash cookie it was given. */
async function pageWith(stack: AdminStack, cookie: string): Promise<string> {
  const response = await stack.app.inject({
    method: 'GET',
    url: '/admin/connections',
    headers: { authorization: `Bearer ${adminToken}`, cookie },
  });
  expect(response.statusCode).toBe(200);
  return response.body;
}

describe('the connections page: its levers run the admin API routes', () => {
  it('lists every connection, and confirms a lever before anything changes', async () => {
    const stack = await startAdminStack();
    const [first] = await stack.connect();
    if (!first) throw new Error('a connection expected');
    const page = await stack.page('/admin/connections');
    expect(page.type).toContain('text/html');
    for (const site of stack.tokens.sim.sites) expect(page.body).toContain(site.host);

    const confirm = await stack.page(`/admin/connections/${first.id}/confirm/backfill?from=2024-01-31`);
    expect(confirm.status).toBe(200);
    expect(confirm.body).toContain(`action="/admin/connections/${first.id}/backfill"`);
    expect(confirm.body).toContain('value="2024-01-31"');
    expect(await stack.sync.cursors.backfill(first.id)).toBeNull();
    expect((await stack.page(`/admin/connections/${first.id}/confirm/explode`)).status).toBe(404);
  });

  it('queues a backfill and says so; refuses what the API refuses, with its reason', async () => {
    const stack = await startAdminStack();
    const [first] = await stack.connect();
    if (!first) throw new Error('a connection expected');
    const done = await post(stack, `/admin/connections/${first.id}/backfill`, { from: '2024-01-31' });
    expect(done.status).toBe(303);
    expect(done.location).toBe('/admin/connections');
    expect(await pageWith(stack, done.cookie)).toContain(
      `Backfill of ${first.siteHost} from 2024-01-31 queued.`,
    );
    expect(await stack.sync.cursors.backfill(first.id)).toMatchObject({
      status: 'running',
      from: Date.parse('2024-01-31'),
    });
    expect(await waitingJobs(stack.queues.sync, syncJobs.backfill)).toHaveLength(1);

    const invalid = await post(stack, `/admin/connections/${first.id}/replay`, { from: 'yesterday' });
    expect(await pageWith(stack, invalid.cookie)).toMatch(/Replay of [^ ]+ refused: body\.from: /);

    await post(stack, `/admin/connections/${first.id}/pause`);
    expect((await stack.tokens.services.connections.get(first.id))?.status).toBe('paused');
    const refused = await post(stack, `/admin/connections/${first.id}/resync`);
    expect(await pageWith(stack, refused.cookie)).toContain(
      `Resync of ${first.siteHost} refused: the connection is paused`,
    );

    const unknown = await post(stack, `/admin/connections/${unknownId}/pause`);
    expect(await pageWith(stack, unknown.cookie)).toContain('No such connection.');
  });

  it('shows a new webhook secret and a connect link once, on a page of their own', async () => {
    const stack = await startAdminStack();
    const [first] = await stack.connect();
    if (!first) throw new Error('a connection expected');
    const rotated = await post(stack, `/admin/connections/${first.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    const secret = /data-once>([A-Za-z0-9_-]{43})</.exec(rotated.body)?.[1];
    expect(secret).toBeDefined();
    const info = await stack.api('GET', `/admin/api/connections/${first.id}/webhook-secret`);
    expect(info.json).toMatchObject({ configured: true });
    const page = await stack.page('/admin/connections');
    expect(page.body).toContain('Admin-webhook secret: <strong>set</strong>');
    expect(page.body).not.toContain(String(secret));

    const link = await post(stack, `/admin/connections/${first.id}/connect-link`);
    expect(link.status).toBe(200);
    expect(link.body).toMatch(/data-once>http:\/\/relay\.test\/oauth\/start\?link=[^<]+</);
  });

  it('refuses a lever posted from another origin with the session, like every admin form', async () => {
    const stack = await startAdminStack();
    const [first] = await stack.connect();
    const response = await stack.app.inject({
      method: 'POST',
      url: `/admin/connections/${first?.id}/pause`,
      headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      payload: '',
    });
    expect(response.statusCode).toBe(403);
    expect((await stack.tokens.services.connections.get(String(first?.id)))?.status).toBe('active');
  });
});

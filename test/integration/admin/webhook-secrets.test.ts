import { describe, expect, it } from 'vitest';
import { startAdminStack } from './admin-stack.ts';

const unknownId = '00000000-0000-4000-8000-000000000000';

describe('admin API: per-connection webhook secrets and connect links', () => {
  it('creates a secret shown once, rotates it with a grace period, and revokes it', async () => {
    const stack = await startAdminStack();
    const [connection] = await stack.connect();
    if (!connection) throw new Error('a connection expected');
    const path = `/admin/api/connections/${connection.id}/webhook-secret`;

    expect((await stack.api('GET', path)).json).toEqual({
      configured: false,
      rotatedAt: null,
      previousValidUntil: null,
    });
    const created = await stack.api('POST', path, {});
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      configured: true,
      previousValidUntil: null,
      url: `http://relay.test/webhooks/jira/${connection.id}`,
    });
    expect(String(created.json.secret)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Never shown again, and never stored in the clear.
    const described = await stack.api('GET', path);
    expect(described.json).not.toHaveProperty('secret');
    const stored = await stack.tokens.redis.hgetall(
      `${stack.tokens.keyPrefix}:webhook-secret:${connection.id}`,
    );
    expect(JSON.stringify(stored)).not.toContain(String(created.json.secret));

    const rotated = await stack.api('POST', path, { graceSeconds: 600 });
    expect(rotated.json.secret).not.toBe(created.json.secret);
    expect(Number(rotated.json.previousValidUntil)).toBeGreaterThan(Date.now() + 590_000);

    const revoked = await stack.api('POST', `${path}/revoke`);
    expect(revoked.json).toEqual({ configured: false, rotatedAt: null, previousValidUntil: null });
  });

  it('answers 404 for a connection it does not hold and 400 for a bad grace period', async () => {
    const stack = await startAdminStack();
    const [connection] = await stack.connect();
    expect((await stack.api('POST', `/admin/api/connections/${unknownId}/webhook-secret`, {})).status).toBe(
      404,
    );
    const bad = await stack.api('POST', `/admin/api/connections/${connection?.id}/webhook-secret`, {
      graceSeconds: -1,
    });
    expect(bad.status).toBe(400);
    expect(bad.json.fields).toEqual(['body.graceSeconds']);
  });

  it('issues a single-use connect link for one site that starts the consent', async () => {
    const stack = await startAdminStack();
    const site = stack.tokens.sim.sites[0]?.host;
    const link = await stack.api('POST', '/admin/api/connect-links', { site });
    expect(link.status).toBe(201);
    expect(link.json).toMatchObject({ site });
    const url = new URL(String(link.json.url));
    expect(url.pathname).toBe('/oauth/start');
    const start = await stack.tokens.app.inject({ method: 'GET', url: `${url.pathname}${url.search}` });
    expect(start.statusCode).toBe(302);
    const again = await stack.tokens.app.inject({ method: 'GET', url: `${url.pathname}${url.search}` });
    expect(again.statusCode).toBe(403);
    expect((await stack.api('POST', '/admin/api/connect-links', { site: 'not a host' })).status).toBe(400);
  });
});

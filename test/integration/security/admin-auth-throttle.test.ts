import { Redis } from 'ioredis';
import { describe, expect, it, onTestFinished } from 'vitest';
import { RedisAuthThrottle } from '../../../src/admin/auth-throttle.ts';
import { freePort } from '../../helpers/relay-process.ts';
import { uniqueName } from '../../helpers/services.ts';
import { adminRoutesOnly, adminToken, startAdminStack } from '../admin/admin-stack.ts';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * Issue 17, "Admin brute-force limit can be beaten": the limit was checked, the token compared and
 * the failure counted in separate steps, so parallel guesses all passed the check (17 of 30 against
 * a limit of 10); any private-network peer could name a new client address per request in
 * X-Forwarded-For; and with Redis down tokens were checked without any limit.
 */
describe('the admin token throttle', () => {
  it('checks at most the limit of 30 parallel wrong tokens from one address, and then not the right one', async () => {
    const stack = await startAdminStack({ maxAuthFailures: 10 });
    const guesses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        stack.app.inject({
          method: 'GET',
          url: '/admin/api/connections',
          remoteAddress: '198.51.100.20',
          headers: bearer(`wrong-admin-token-${i}`),
        }),
      ),
    );
    const statuses = guesses.map((r) => r.statusCode);
    const checked = statuses.filter((s) => s === 401).length;
    expect(checked).toBeGreaterThan(0);
    expect(checked).toBeLessThanOrEqual(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30 - checked);
    const right = await stack.app.inject({
      method: 'GET',
      url: '/admin/api/connections',
      remoteAddress: '198.51.100.20',
      headers: bearer(adminToken),
    });
    expect(right.statusCode).toBe(429);
  });

  it('counts a private-network client by its own address, whatever X-Forwarded-For it sends', async () => {
    const stack = await startAdminStack({ maxAuthFailures: 10 });
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) {
      const response = await stack.app.inject({
        method: 'GET',
        url: '/admin/api/connections',
        remoteAddress: '10.0.0.5',
        headers: { ...bearer(`wrong-admin-token-${i}`), 'x-forwarded-for': `203.0.113.${i + 1}` },
      });
      statuses.push(response.statusCode);
    }
    expect(statuses).toEqual([...Array(10).fill(401), ...Array(5).fill(429)]);
  });

  it('refuses to check any token, right or wrong, bearer or form, while Redis cannot count (503)', async () => {
    const stack = await startAdminStack();
    const unreachable = new Redis(`redis://127.0.0.1:${await freePort()}`);
    unreachable.on('error', () => undefined);
    onTestFinished(() => unreachable.disconnect());
    const throttle = new RedisAuthThrottle({
      redis: unreachable,
      keyPrefix: uniqueName('relay-admin'),
      maxFailures: 10,
      windowSeconds: 60,
      timeoutMs: 300,
    });
    const { app } = await adminRoutesOnly({ ...stack.deps, authThrottle: throttle });
    for (const token of [adminToken, 'wrong-admin-token-0']) {
      const api = await app.inject({ method: 'GET', url: '/admin/api/connections', headers: bearer(token) });
      expect(api.statusCode, token).toBe(503);
      expect(Number(api.headers['retry-after']), token).toBeGreaterThan(0);
      expect(api.json(), token).toMatchObject({ error: 'UNAVAILABLE' });
      const form = await app.inject({
        method: 'POST',
        url: '/admin/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ token }).toString(),
      });
      expect(form.statusCode, token).toBe(503);
      expect(Number(form.headers['retry-after']), token).toBeGreaterThan(0);
      expect(form.headers['set-cookie'], token).toBeUndefined();
    }
  });
});

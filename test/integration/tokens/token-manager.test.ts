import { describe, expect, it } from 'vitest';
import { createTokenServices } from '../../../src/composition/token-services.ts';
import type { Connection } from '../../../src/connections/connection.ts';
import { myself } from '../../helpers/jira-myself.ts';
import { consent, dumpKeys, startTokenStack, type TokenStack } from './token-stack.ts';

const minutes = (n: number) => n * 60_000;

async function connectedSite(stack: TokenStack, accountId?: string): Promise<Connection> {
  const result = await consent(stack, accountId);
  if (result.status !== 200) throw new Error(`consent answered ${result.status}`);
  const [connection] = await stack.services.connections.list();
  if (!connection) throw new Error('no connection after consent');
  return connection;
}

const refreshes = (stack: TokenStack) => stack.sim.stats().tokenRequests.refresh_token ?? 0;

describe('TokenManager against the simulator', () => {
  it('refreshes a token that expires mid-run without any call failing', async () => {
    const stack = await startTokenStack();
    const jira = stack.jira(await connectedSite(stack));

    let ok = 0;
    for (let step = 0; step < 30; step++) {
      // Five concurrent calls per step; five simulated minutes between steps: 2.5 token lifetimes.
      const batch = await Promise.all(Array.from({ length: 5 }, () => myself(jira)));
      ok += batch.filter((me) => typeof me.accountId === 'string').length;
      stack.sim.clock.advance(minutes(5));
    }

    expect(ok).toBe(150);
    expect(refreshes(stack)).toBe(2);
    expect(stack.sim.stats().requests['GET /ex/jira/:cloudId/rest/api/3/myself 401'] ?? 0).toBe(0);
  });

  it('recovers from a token revoked before its expiry with one refresh, shared by concurrent calls', async () => {
    const stack = await startTokenStack();
    const jira = stack.jira(await connectedSite(stack));
    await myself(jira);

    expect(stack.sim.expireAccessTokens()).toBeGreaterThan(0);
    const results = await Promise.all(Array.from({ length: 10 }, () => myself(jira)));

    expect(results).toHaveLength(10);
    expect(refreshes(stack)).toBe(1);
  });

  it('uses the rotated refresh token after a restart, and the grant keeps working', async () => {
    const stack = await startTokenStack();
    const connection = await connectedSite(stack);
    const consented = await stack.services.tokenStore.get(connection.accountIds[0] ?? '');
    stack.sim.clock.advance(minutes(61));
    await myself(stack.jira(connection));
    const rotated = await stack.services.tokenStore.get(connection.accountIds[0] ?? '');
    expect(rotated?.refreshToken).not.toBe(consented?.refreshToken);

    // A new process: nothing in memory, only Redis. Past the reuse window, the old refresh token
    // would be refused (and would revoke the family); the stored, rotated one must be used.
    const restarted = createTokenServices(stack.config, {
      redis: stack.redis,
      log: stack.log,
      keyPrefix: stack.keyPrefix,
      now: stack.sim.clock.now,
    });
    stack.sim.clock.advance(minutes(61));
    const token = await restarted.tokens.getAccessToken(connection);

    const after = await restarted.tokenStore.get(connection.accountIds[0] ?? '');
    expect(after).toMatchObject({ status: 'active', rotations: 2, accessToken: token });
    expect(await myself(stack.jira(connection))).toHaveProperty('accountId', connection.accountIds[0]);
    expect(refreshes(stack)).toBe(2);
  });

  it('marks a revoked grant reauth_required after exactly one refused refresh, then sends no token request', async () => {
    const stack = await startTokenStack();
    const connection = await connectedSite(stack);
    const jira = stack.jira(connection);
    await myself(jira);

    stack.sim.revokeGrant(connection.accountIds[0] ?? '');
    await expect(myself(jira)).rejects.toMatchObject({
      code: 'REAUTH_REQUIRED',
      connectionId: connection.id,
    });
    stack.sim.clock.advance(minutes(120));
    for (let i = 0; i < 5; i++) await expect(myself(jira)).rejects.toMatchObject({ code: 'REAUTH_REQUIRED' });

    expect(refreshes(stack)).toBe(1);
    expect((await stack.services.connections.get(connection.id))?.status).toBe('reauth_required');
    expect(await stack.services.tokenStore.get(connection.accountIds[0] ?? '')).toMatchObject({
      status: 'reauth_required',
      reauthReason: expect.stringContaining('unauthorized_client'),
    });
  });

  it("falls back to another account's grant, and needs reauthorization only when none is left", async () => {
    const stack = await startTokenStack();
    const [alice, bob] = stack.sim.users;
    if (!alice || !bob) throw new Error('the simulator needs two users');
    await connectedSite(stack, alice.accountId);
    const connection = await connectedSite(stack, bob.accountId);
    expect(connection.accountIds).toEqual([alice.accountId, bob.accountId]);

    stack.sim.revokeGrant(alice.accountId);
    stack.sim.clock.advance(minutes(61));
    expect(await myself(stack.jira(connection))).toHaveProperty('accountId', bob.accountId);
    expect((await stack.services.connections.get(connection.id))?.status).toBe('active');

    stack.sim.revokeGrant(bob.accountId);
    stack.sim.clock.advance(minutes(61));
    await expect(myself(stack.jira(connection))).rejects.toMatchObject({ code: 'REAUTH_REQUIRED' });
    const everySite = await stack.services.connections.list();
    expect(everySite.map((c) => c.status)).toEqual(everySite.map(() => 'reauth_required'));

    // The user consents again: the site is back without any new connection.
    await connectedSite(stack, alice.accountId);
    expect((await stack.services.connections.get(connection.id))?.status).toBe('active');
    expect(await myself(stack.jira(connection))).toHaveProperty('accountId', alice.accountId);
  });

  it('keeps idle grants alive: only grants idle past the keep-alive age are refreshed', async () => {
    const stack = await startTokenStack({ env: { TOKEN_KEEPALIVE_IDLE_DAYS: '75' } });
    const [alice, bob] = stack.sim.users;
    if (!alice || !bob) throw new Error('the simulator needs two users');
    await connectedSite(stack, alice.accountId);
    stack.sim.clock.advance(minutes(60 * 24 * 10));
    await connectedSite(stack, bob.accountId);
    stack.sim.clock.advance(minutes(60 * 24 * 70));

    const report = await stack.services.tokens.refreshIdleGrants(stack.sim.clock.now());

    expect(report).toEqual({ refreshed: 1, reauthRequired: 0, failed: 0 });
    expect(refreshes(stack)).toBe(1);
    expect((await stack.services.tokenStore.get(alice.accountId))?.rotations).toBe(1);
    expect((await stack.services.tokenStore.get(bob.accountId))?.rotations).toBe(0);
    expect(await stack.services.tokens.refreshIdleGrants(stack.sim.clock.now())).toEqual({
      refreshed: 0,
      reauthRequired: 0,
      failed: 0,
    });
  });

  it('leaves no token in plain text in any Redis key or value, nor in any log line', async () => {
    const stack = await startTokenStack();
    const connection = await connectedSite(stack);
    const jira = stack.jira(connection);
    await myself(jira);
    stack.sim.clock.advance(minutes(61));
    await myself(jira);
    stack.sim.expireAccessTokens();
    await myself(jira);

    const grant = await stack.services.tokenStore.get(connection.accountIds[0] ?? '');
    const secrets = [grant?.accessToken, grant?.refreshToken, stack.sim.clientSecret].filter(
      (s): s is string => typeof s === 'string' && s.length > 0,
    );
    expect(grant?.rotations).toBe(2);
    const stored = (await dumpKeys(stack.redis, stack.keyPrefix)).join('\n');
    expect(stored.length).toBeGreaterThan(0);
    const logs = stack.logs.join('\n');
    expect(logs).toContain('access token refreshed');
    for (const secret of secrets) {
      expect(stored).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
  });
});

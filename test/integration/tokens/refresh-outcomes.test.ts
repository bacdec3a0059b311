import { describe, expect, it } from 'vitest';
import type { Connection } from '../../../src/connections/connection.ts';
import { consent, startTokenStack, type TokenStack } from './token-stack.ts';

const minutes = (n: number) => n * 60_000;

/** Refresh requests time out after 200 ms and each call sends at most one. */
async function setup(
  env: Record<string, string> = {},
): Promise<{ stack: TokenStack; connection: Connection }> {
  const stack = await startTokenStack({
    env: { TOKEN_REFRESH_TIMEOUT_MS: '200', TOKEN_REFRESH_ATTEMPTS: '1', ...env },
  });
  if ((await consent(stack)).status !== 200) throw new Error('consent failed');
  const [connection] = await stack.services.connections.list();
  if (!connection) throw new Error('no connection');
  return { stack, connection };
}

const refreshes = (stack: TokenStack) => stack.sim.stats().tokenRequests.refresh_token ?? 0;
const grantOf = (stack: TokenStack, connection: Connection) =>
  stack.services.tokenStore.get(connection.accountIds[0] ?? '');

/** A refresh the simulator performs (the token rotates) but answers after the client gave up. */
async function lostRefresh(stack: TokenStack, connection: Connection): Promise<void> {
  stack.sim.setFaults({ tokenLatencyMs: 600 });
  stack.sim.clock.advance(minutes(61));
  await expect(stack.services.tokens.getAccessToken(connection)).rejects.toMatchObject({
    code: 'TOKEN_REFRESH_FAILED',
    retryable: true,
  });
  stack.sim.setFaults({});
}

describe('refreshes whose outcome is unknown', () => {
  it('are retried with the same refresh token inside the reuse window, and the grant survives', async () => {
    const { stack, connection } = await setup();
    const before = await grantOf(stack, connection);
    await lostRefresh(stack, connection);
    const pending = await grantOf(stack, connection);
    expect(pending?.refreshPendingSince).not.toBeNull();
    expect(pending?.refreshToken).toBe(before?.refreshToken);

    stack.sim.clock.advance(minutes(5));
    const token = await stack.services.tokens.getAccessToken(connection);

    expect(refreshes(stack)).toBe(2);
    expect(await grantOf(stack, connection)).toMatchObject({
      status: 'active',
      accessToken: token,
      refreshPendingSince: null,
      rotations: 1,
    });
  });

  it('mark the grant reauth_required once the reuse window has passed, without sending the token again', async () => {
    const { stack, connection } = await setup();
    await lostRefresh(stack, connection);

    stack.sim.clock.advance(minutes(11));
    await expect(stack.services.tokens.getAccessToken(connection)).rejects.toMatchObject({
      code: 'REAUTH_REQUIRED',
    });

    expect(refreshes(stack)).toBe(1);
    expect(await grantOf(stack, connection)).toMatchObject({
      status: 'reauth_required',
      reauthReason: expect.stringContaining('reuse window'),
    });
    expect((await stack.services.connections.get(connection.id))?.status).toBe('reauth_required');
  });

  it('are retried at once within one call when attempts allow (a 5xx may have rotated the token)', async () => {
    const { stack, connection } = await setup({ TOKEN_REFRESH_ATTEMPTS: '2' });
    stack.sim.setFaults({ tokenFailNext: [{ status: 500 }] });
    stack.sim.clock.advance(minutes(61));

    const token = await stack.services.tokens.getAccessToken(connection);

    expect(refreshes(stack)).toBe(2);
    expect(await grantOf(stack, connection)).toMatchObject({ accessToken: token, refreshPendingSince: null });
  });
});

describe('refreshes the token endpoint refused without using the token', () => {
  it('fail this call only; the grant stays usable and is not treated as pending', async () => {
    const { stack, connection } = await setup();
    stack.sim.setFaults({ tokenFailNext: [{ status: 429, body: { error: 'rate_limited' } }] });
    stack.sim.clock.advance(minutes(61));

    await expect(stack.services.tokens.getAccessToken(connection)).rejects.toMatchObject({
      code: 'TOKEN_REFRESH_FAILED',
      message: expect.stringContaining('rate_limited'),
    });
    expect((await grantOf(stack, connection))?.refreshPendingSince).toBeNull();

    stack.sim.clock.advance(minutes(30));
    await stack.services.tokens.getAccessToken(connection);
    expect(await grantOf(stack, connection)).toMatchObject({ status: 'active', rotations: 1 });
  });
});

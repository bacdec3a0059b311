import { describe, expect, it } from 'vitest';
import type { Connection } from '../../../src/connections/connection.ts';
import {
  type ResourcesRefreshReport,
  refreshAccessibleResources,
} from '../../../src/tokens/accessible-resources-refresh.ts';
import type { SimulatorUser } from '../../sim/index.ts';
import { consent, dumpKeys, startTokenStack, type TokenStack } from './token-stack.ts';

const zeros = { updated: 0, removed: 0, added: 0, skipped: 0, failed: 0 };

/** The refresh as the maintenance job runs it, over the stack's real stores, token manager and OAuth client. */
async function refresh(
  stack: TokenStack,
  connected: Connection[][] = [],
  allowedSites: readonly string[] = [],
): Promise<ResourcesRefreshReport> {
  return refreshAccessibleResources({
    allowedSites,
    connections: stack.services.connections,
    tokens: stack.services.tokens,
    oauth: stack.services.oauth,
    onConnected: async (connections) => {
      connected.push(connections);
    },
    log: stack.log,
  });
}

function twoUsers(stack: TokenStack): [SimulatorUser, SimulatorUser] {
  const [alice, bob] = stack.sim.users;
  if (!alice || !bob) throw new Error('the simulator needs two users');
  return [alice, bob];
}

function siteAt(stack: TokenStack, index: number) {
  const site = stack.sim.sites[index];
  if (!site) throw new Error(`the simulator has no site ${index}`);
  return site;
}

async function connectionOf(stack: TokenStack, cloudId: string): Promise<Connection> {
  const found = (await stack.services.connections.list()).find((c) => c.cloudId === cloudId);
  if (!found) throw new Error(`no connection for ${cloudId}`);
  return found;
}

describe('accessible-resources refresh (maintenance)', () => {
  it('takes an account off a site its grant lost; the last account leaving marks the connection reauth_required', async () => {
    const stack = await startTokenStack({ sim: { sites: 2 } });
    const [alice, bob] = twoUsers(stack);
    const [shared, lost] = [siteAt(stack, 0), siteAt(stack, 1)];
    expect((await consent(stack, alice.accountId)).status).toBe(200);
    expect((await consent(stack, bob.accountId)).status).toBe(200);

    stack.sim.control.setSiteAccess(shared.cloudId, alice.accountId, false);
    stack.sim.control.setSiteAccess(lost.cloudId, alice.accountId, false);
    stack.sim.control.setSiteAccess(lost.cloudId, bob.accountId, false);
    const report = await refresh(stack);

    expect(report).toEqual({ ...zeros, accounts: 2, removed: 3 });
    expect(await connectionOf(stack, shared.cloudId)).toMatchObject({
      accountIds: [bob.accountId],
      status: 'active',
    });
    expect(await connectionOf(stack, lost.cloudId)).toMatchObject({
      accountIds: [],
      status: 'reauth_required',
      siteHost: lost.host,
    });
    expect(await stack.services.connections.listByAccount(alice.accountId)).toEqual([]);
    expect((await stack.services.connections.listByAccount(bob.accountId)).map((c) => c.cloudId)).toEqual([
      shared.cloudId,
    ]);
  });

  it('follows a renamed site: name, url and the host webhook intake routes by', async () => {
    const stack = await startTokenStack({ sim: { sites: 1 } });
    const [alice] = twoUsers(stack);
    const site = siteAt(stack, 0);
    expect((await consent(stack, alice.accountId)).status).toBe(200);
    const before = await connectionOf(stack, site.cloudId);

    stack.sim.control.renameSite(site.cloudId, { name: 'Acme Renamed', host: 'acme-renamed.atlassian.net' });
    const report = await refresh(stack);

    expect(report).toEqual({ ...zeros, accounts: 1, updated: 1 });
    const found = await stack.services.connections.findBySiteHost('acme-renamed.atlassian.net');
    expect(found).toMatchObject({
      id: before.id,
      name: 'Acme Renamed',
      siteUrl: 'https://acme-renamed.atlassian.net',
      accountIds: [alice.accountId],
      status: 'active',
    });
    expect(await stack.services.connections.findBySiteHost(site.host)).toBeNull();
    const grant = await stack.services.tokenStore.get(alice.accountId);
    expect(grant?.accessToken).toBeTruthy();
    expect(stack.logs.some((line) => line.includes(grant?.accessToken ?? '<none>'))).toBe(false);
    expect(stack.logs.some((line) => line.includes('site details changed at Atlassian'))).toBe(true);
  });

  it('connects a Jira site the grant lists newly, with the same follow-up as a consent', async () => {
    const stack = await startTokenStack({ sim: { sites: 2 } });
    const [alice] = twoUsers(stack);
    const [first, gained] = [siteAt(stack, 0), siteAt(stack, 1)];
    stack.sim.control.setSiteAccess(gained.cloudId, alice.accountId, false);
    expect((await consent(stack, alice.accountId)).status).toBe(200);
    expect((await stack.services.connections.list()).map((c) => c.cloudId)).toEqual([first.cloudId]);

    stack.sim.control.setSiteAccess(gained.cloudId, alice.accountId, true);
    const connected: Connection[][] = [];
    const report = await refresh(stack, connected);

    expect(report).toEqual({ ...zeros, accounts: 1, added: 1 });
    const created = await connectionOf(stack, gained.cloudId);
    expect(created).toMatchObject({ siteHost: gained.host, accountIds: [alice.accountId], status: 'active' });
    expect(created.scopes).toContain('read:jira-work');
    expect(connected.map((call) => call.map((c) => c.id))).toEqual([[created.id]]);
    expect((await stack.services.connections.findBySiteHost(gained.host))?.id).toBe(created.id);
  });

  it('leaves a newly listed site outside OAUTH_ALLOWED_SITES unconnected', async () => {
    const stack = await startTokenStack({ sim: { sites: 2 } });
    const [alice] = twoUsers(stack);
    const [first, gained] = [siteAt(stack, 0), siteAt(stack, 1)];
    stack.sim.control.setSiteAccess(gained.cloudId, alice.accountId, false);
    expect((await consent(stack, alice.accountId)).status).toBe(200);
    stack.sim.control.setSiteAccess(gained.cloudId, alice.accountId, true);
    const connected: Connection[][] = [];
    const report = await refresh(stack, connected, [first.host]);
    expect(report).toEqual({ ...zeros, accounts: 1 });
    expect((await stack.services.connections.list()).map((c) => c.cloudId)).toEqual([first.cloudId]);
    expect(connected).toEqual([]);
  });

  it('writes nothing and reports zeros when no grant changed', async () => {
    const stack = await startTokenStack({ sim: { sites: 2 } });
    const [alice, bob] = twoUsers(stack);
    expect((await consent(stack, alice.accountId)).status).toBe(200);
    expect((await consent(stack, bob.accountId)).status).toBe(200);
    const before = await dumpKeys(stack.redis, stack.keyPrefix);

    const connected: Connection[][] = [];
    expect(await refresh(stack, connected)).toEqual({ ...zeros, accounts: 2 });

    expect(await dumpKeys(stack.redis, stack.keyPrefix)).toEqual(before);
    expect(connected).toEqual([]);
  });

  it('skips an account whose grant needs reauthorization and still refreshes the others', async () => {
    const stack = await startTokenStack({ sim: { sites: 2 } });
    const [alice, bob] = twoUsers(stack);
    const [kept, lost] = [siteAt(stack, 0), siteAt(stack, 1)];
    expect((await consent(stack, alice.accountId)).status).toBe(200);
    expect((await consent(stack, bob.accountId)).status).toBe(200);

    expect(stack.sim.revokeGrant(bob.accountId)).toBe(true);
    stack.sim.control.setSiteAccess(kept.cloudId, bob.accountId, false);
    stack.sim.control.setSiteAccess(lost.cloudId, alice.accountId, false);
    // Past the access tokens' lifetime: each account's token is refreshed, and bob's refresh is refused.
    stack.sim.clock.advance(2 * 3600 * 1000);
    const report = await refresh(stack);

    expect(report).toEqual({ ...zeros, accounts: 2, skipped: 1, removed: 1 });
    expect(await stack.services.tokenStore.get(bob.accountId)).toMatchObject({ status: 'reauth_required' });
    expect((await connectionOf(stack, kept.cloudId)).accountIds).toEqual([alice.accountId, bob.accountId]);
    expect(await connectionOf(stack, lost.cloudId)).toMatchObject({ accountIds: [bob.accountId] });
    expect(stack.logs.some((line) => line.includes('grant needs reauthorization: its sites left'))).toBe(
      true,
    );
  });
});

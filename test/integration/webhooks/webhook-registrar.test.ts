import { describe, expect, it } from 'vitest';
import type { Connection } from '../../../src/connections/connection.ts';
import { RedisRegistrationStore } from '../../../src/webhooks/registration-store.ts';
import { projectFilter, WebhookRegistrar } from '../../../src/webhooks/webhook-registrar.ts';
import { consent, startTokenStack, type TokenStack } from '../tokens/token-stack.ts';

const day = 86_400_000;
const callbackUrl = 'http://relay.test/webhooks/jira';

function registrarFor(stack: TokenStack) {
  return new WebhookRegistrar({
    connections: stack.services.connections,
    registrations: new RedisRegistrationStore(stack.redis, stack.keyPrefix),
    clientFor: (connection: Connection) => stack.jira(connection),
    callbackUrl,
    refreshBeforeMs: 7 * day,
    now: stack.sim.clock.now,
  });
}

async function connectedSite(stack: TokenStack): Promise<Connection> {
  expect((await consent(stack)).status).toBe(200);
  const [connection] = await stack.services.connections.list();
  if (!connection) throw new Error('no connection');
  return connection;
}

function webhooksAt(stack: TokenStack, cloudId: string): number {
  return stack.sim.control.state().sites.find((s) => s.cloudId === cloudId)?.webhooks ?? -1;
}

describe('dynamic webhook registration against the simulator', () => {
  it('registers one webhook for the six events over every visible project, once across restarts', async () => {
    const stack = await startTokenStack({ sim: { sites: 1 } });
    const connection = await connectedSite(stack);

    const first = await registrarFor(stack).reconcile(connection.id);
    expect(first.kind).toBe('registered');
    const projects = stack.sim.control.state().sites[0]?.projects ?? [];
    expect(first.kind !== 'skipped' && first.registration.jqlFilter).toBe(projectFilter(projects));
    expect(webhooksAt(stack, connection.cloudId)).toBe(1);

    // A restarted process (new registrar, same Redis) and a repeat change nothing at Jira.
    expect((await registrarFor(stack).reconcile(connection.id)).kind).toBe('unchanged');
    expect((await registrarFor(stack).reconcile(connection.id)).kind).toBe('unchanged');
    expect(webhooksAt(stack, connection.cloudId)).toBe(1);

    const stored = await new RedisRegistrationStore(stack.redis, stack.keyPrefix).get(connection.id);
    expect(stored?.webhookIds).toHaveLength(1);
    expect(stored?.expiresAt).toBeGreaterThan(stack.sim.clock.now() + 29 * day);
  });

  it('registers its one callback URL on every site of the app (Jira allows one URL per app)', async () => {
    const stack = await startTokenStack({ sim: { sites: 2 } });
    expect((await consent(stack)).status).toBe(200);
    const connections = await stack.services.connections.list();
    expect(connections).toHaveLength(2);

    for (const connection of connections) {
      expect((await registrarFor(stack).reconcile(connection.id)).kind).toBe('registered');
      expect(webhooksAt(stack, connection.cloudId)).toBe(1);
      const listed = await stack.jira(connection).get<{ values: Array<{ url: string }> }>('webhook');
      expect(listed.values.map((w) => w.url)).toEqual([callbackUrl]);
    }
  });

  it('refreshes a registration that expires within seven days, extending it by 30 days', async () => {
    const stack = await startTokenStack({ sim: { sites: 1 } });
    const connection = await connectedSite(stack);
    const registrar = registrarFor(stack);
    const first = await registrar.reconcile(connection.id);
    if (first.kind === 'skipped') throw new Error(first.reason);

    stack.sim.clock.advance(24 * day);
    stack.sim.expireAccessTokens();
    const refreshed = await registrar.reconcile(connection.id);
    expect(refreshed.kind).toBe('refreshed');
    if (refreshed.kind === 'skipped') throw new Error(refreshed.reason);
    expect(refreshed.registration.expiresAt).toBeGreaterThan(first.registration.expiresAt + 20 * day);
    expect(refreshed.registration.webhookIds).toEqual(first.registration.webhookIds);
    expect(webhooksAt(stack, connection.cloudId)).toBe(1);
  });

  it('re-registers when the project list changes, replacing the old webhook', async () => {
    const stack = await startTokenStack({ sim: { sites: 1 } });
    const connection = await connectedSite(stack);
    const registrar = registrarFor(stack);
    await registrar.reconcile(connection.id);
    const [project] = stack.sim.control.state().sites[0]?.projects ?? [];
    await stack.services.connections.setProjectKeys(connection.id, [project ?? 'OPS']);

    const outcome = await registrar.reconcile(connection.id);
    expect(outcome.kind).toBe('registered');
    expect(outcome.kind !== 'skipped' && outcome.registration.jqlFilter).toBe(`project in ("${project}")`);
    expect(webhooksAt(stack, connection.cloudId)).toBe(1);
  });

  it('deletes its webhooks at Jira on disconnect and forgets them', async () => {
    const stack = await startTokenStack({ sim: { sites: 1 } });
    const connection = await connectedSite(stack);
    const registrar = registrarFor(stack);
    await registrar.reconcile(connection.id);
    await registrar.unregister(connection);
    expect(webhooksAt(stack, connection.cloudId)).toBe(0);
    expect(await new RedisRegistrationStore(stack.redis, stack.keyPrefix).get(connection.id)).toBeNull();
  });

  it('skips connections that are not active', async () => {
    const stack = await startTokenStack({ sim: { sites: 1 } });
    const connection = await connectedSite(stack);
    await stack.services.connections.setStatus(connection.id, 'paused');
    expect(await registrarFor(stack).reconcile(connection.id)).toEqual({
      kind: 'skipped',
      reason: 'connection not active',
    });
    expect(webhooksAt(stack, connection.cloudId)).toBe(0);
  });
});

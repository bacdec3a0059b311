import { describe, expect, it } from 'vitest';
import { RedisConnectionStore } from '../../../src/connections/redis-connection-store.ts';
import { RedisRegistrationStore } from '../../../src/webhooks/registration-store.ts';
import { CachedWebhookRouter } from '../../../src/webhooks/webhook-router.ts';
import { testRedis, uniqueName } from '../../helpers/services.ts';

async function setup() {
  const redis = testRedis();
  const prefix = uniqueName('relay');
  let now = 1_000_000;
  const connections = new RedisConnectionStore({ redis, keyPrefix: prefix });
  const registrations = new RedisRegistrationStore(redis, prefix);
  const router = new CachedWebhookRouter({ connections, registrations, ttlMs: 5000, now: () => now });
  const { connection } = await connections.upsertFromConsent(
    { cloudId: 'cloud-1', url: 'https://acme.atlassian.net', name: 'Acme', scopes: ['read:jira-work'] },
    'account-1',
  );
  return { connections, registrations, router, connection, advance: (ms: number) => (now += ms) };
}

const acme = 'acme.atlassian.net';

describe('routing deliveries to connections', () => {
  it('routes by site host, and by matched webhook id when the host is unknown', async () => {
    const { router, registrations, connection } = await setup();
    const routed = { connectionId: connection.id, cloudId: connection.cloudId, paused: false };
    expect(await router.route(acme, [])).toEqual(routed);
    expect(await router.route('other.atlassian.net', [])).toBeUndefined();
    await registrations.save(registration(connection.id, [41]));
    expect(await router.route('other.atlassian.net', [7, 41])).toEqual(routed);
    expect(await router.route('other.atlassian.net', [7])).toBeUndefined();
  });

  it('marks a paused site, found by host or by webhook id, and routes it again on resume', async () => {
    const { router, registrations, connections, connection, advance } = await setup();
    await registrations.save(registration(connection.id, [41]));
    expect(await router.route(acme, [41])).toEqual({
      connectionId: connection.id,
      cloudId: connection.cloudId,
      paused: false,
    });
    await connections.setStatus(connection.id, 'paused');
    expect((await router.route(acme, [41]))?.paused).toBe(false); // cached
    advance(5001);
    const paused = { connectionId: connection.id, cloudId: connection.cloudId, paused: true };
    expect(await router.route(acme, [41])).toEqual(paused);
    // A delivery whose host we do not know, say after a rename, still finds it paused by its webhook.
    expect(await router.route('renamed.atlassian.net', [41])).toEqual(paused);
    await connections.setStatus(connection.id, 'active');
    advance(5001);
    expect(await router.route(acme, [41])).toEqual({
      connectionId: connection.id,
      cloudId: connection.cloudId,
      paused: false,
    });
  });

  it("names the connection of an admin webhook's URL, with its site and whether it is paused or disconnected", async () => {
    const { router, connections, connection, advance } = await setup();
    expect(await router.connection(connection.id)).toEqual({
      connectionId: connection.id,
      cloudId: connection.cloudId,
      siteHost: acme,
      paused: false,
      disconnected: false,
    });
    expect(await router.connection('never-held')).toBeUndefined();
    await connections.setStatus(connection.id, 'disconnected');
    advance(5001);
    expect(await router.connection(connection.id)).toMatchObject({ disconnected: true });
  });

  it('routes a disconnected site as one it never held', async () => {
    const { router, registrations, connections, connection, advance } = await setup();
    await registrations.save(registration(connection.id, [41]));
    await connections.setStatus(connection.id, 'disconnected');
    advance(5001);
    expect(await router.route(acme, [41])).toBeUndefined();
  });

  it('keeps routing a site whose grant needs reauthorization: its webhooks still carry the data', async () => {
    const { router, connections, connection } = await setup();
    await connections.setStatus(connection.id, 'reauth_required');
    expect(await router.route(acme, [])).toEqual({
      connectionId: connection.id,
      cloudId: connection.cloudId,
      paused: false,
    });
  });
});

function registration(connectionId: string, webhookIds: number[]) {
  return {
    connectionId,
    webhookIds,
    jqlFilter: 'project in ("A")',
    expiresAt: 0,
    registeredAt: 0,
    refreshedAt: 0,
  };
}

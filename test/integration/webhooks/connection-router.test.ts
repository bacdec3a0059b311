import { describe, expect, it } from 'vitest';
import { RedisConnectionStore } from '../../../src/connections/redis-connection-store.ts';
import { CachedWebhookRouter } from '../../../src/webhooks/connection-router.ts';
import { RedisRegistrationStore } from '../../../src/webhooks/registration-store.ts';
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

describe('routing deliveries to connections', () => {
  it('routes by site host, and by matched webhook id when the host is unknown', async () => {
    const { router, registrations, connection } = await setup();
    expect(await router.connectionForSite('acme.atlassian.net')).toBe(connection.id);
    expect(await router.connectionForSite('other.atlassian.net')).toBeUndefined();
    await registrations.save({
      connectionId: connection.id,
      webhookIds: [41],
      jqlFilter: 'project in ("A")',
      expiresAt: 0,
      registeredAt: 0,
      refreshedAt: 0,
    });
    expect(await router.connectionForWebhookIds([7, 41])).toBe(connection.id);
    expect(await router.connectionForWebhookIds([7])).toBeUndefined();
  });

  it('stops routing a paused or disconnected site once the cache expires, and routes it again on resume', async () => {
    const { router, connections, connection, advance } = await setup();
    expect(await router.connectionForSite('acme.atlassian.net')).toBe(connection.id);
    await connections.setStatus(connection.id, 'paused');
    expect(await router.connectionForSite('acme.atlassian.net')).toBe(connection.id); // cached
    advance(5001);
    expect(await router.connectionForSite('acme.atlassian.net')).toBeUndefined();
    await connections.setStatus(connection.id, 'active');
    advance(5001);
    expect(await router.connectionForSite('acme.atlassian.net')).toBe(connection.id);
    await connections.setStatus(connection.id, 'disconnected');
    advance(5001);
    expect(await router.connectionForSite('acme.atlassian.net')).toBeUndefined();
  });

  it('keeps routing a site whose grant needs reauthorization: its webhooks still carry the data', async () => {
    const { router, connections, connection } = await setup();
    await connections.setStatus(connection.id, 'reauth_required');
    expect(await router.connectionForSite('acme.atlassian.net')).toBe(connection.id);
  });
});

import { randomBytes } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { TokenPair } from '../../../src/atlassian/oauth/token-response.ts';
import type { ConsentedSite } from '../../../src/connections/connection.ts';
import { RedisConnectionStore } from '../../../src/connections/redis-connection-store.ts';
import type { RedisClient } from '../../../src/state/redis-client.ts';
import { RedisTokenStore } from '../../../src/tokens/redis-token-store.ts';
import { createTokenCipher } from '../../../src/tokens/token-cipher.ts';
import { deleteKeysWithPrefix } from '../../helpers/redis-keys.ts';
import { testRedis, uniqueName } from '../../helpers/services.ts';
import { dumpKeys } from './token-stack.ts';

const key = () => randomBytes(32).toString('base64');
const pair = (n: number, expiresAt = 1_000_000): TokenPair => ({
  accessToken: `access-token-${n}-${randomBytes(6).toString('hex')}`,
  refreshToken: `refresh-token-${n}-${randomBytes(6).toString('hex')}`,
  expiresAt,
  scopes: ['read:jira-work', 'offline_access'],
});
const site = (n: number, url = `https://site-${n}.atlassian.net`): ConsentedSite => ({
  cloudId: `cloud-${n}`,
  url,
  name: `Site ${n}`,
  scopes: ['read:jira-work', 'manage:jira-webhook'],
});

/** This run's Redis (its cluster on a cluster run) and a prefix whose keys go when the test ends. */
function redisForTest(): { redis: RedisClient; prefix: string } {
  const redis = testRedis();
  const prefix = uniqueName('jr-stores');
  // Registered after testRedis()'s quit, so it runs before it.
  onTestFinished(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });
  return { redis, prefix };
}

describe('RedisTokenStore', () => {
  it('stores a consent and reads it back, with no token readable in Redis', async () => {
    const { redis, prefix } = redisForTest();
    const store = new RedisTokenStore({ redis, keyPrefix: prefix, cipher: createTokenCipher([key()]) });
    const tokens = pair(1);

    const written = await store.putFromConsent('acc-1', tokens, 5000);
    expect(await store.get('acc-1')).toEqual(written);
    expect(written).toMatchObject({ ...tokens, status: 'active', refreshedAt: 5000, rotations: 0 });

    const everything = (await dumpKeys(redis, prefix)).join('\n');
    expect(everything).not.toContain(tokens.accessToken);
    expect(everything).not.toContain(tokens.refreshToken);
    expect(everything).toContain(written.keyId);
  });

  it('refuses an update based on a stale read, so two writers never overwrite each other', async () => {
    const { redis, prefix } = redisForTest();
    const store = new RedisTokenStore({ redis, keyPrefix: prefix, cipher: createTokenCipher([key()]) });
    const read = await store.putFromConsent('acc-1', pair(1), 1);

    const first = await store.update(read, { ...pair(2), rotations: 1 });
    expect(first?.rotations).toBe(1);
    expect(await store.update(read, { ...pair(3), rotations: 1 })).toBeNull();
    expect((await store.get('acc-1'))?.refreshToken).toBe(first?.refreshToken);

    // A new consent replaces the family; a write prepared against the old one must fail too.
    await store.putFromConsent('acc-1', pair(4), 2);
    expect(await store.update(first ?? read, { status: 'reauth_required' })).toBeNull();
    expect((await store.get('acc-1'))?.status).toBe('active');
  });

  it('lists active grants idle since a cutoff, oldest first, and forgets grants that need reauthorization', async () => {
    const { redis, prefix } = redisForTest();
    const store = new RedisTokenStore({ redis, keyPrefix: prefix, cipher: createTokenCipher([key()]) });
    await store.putFromConsent('old', pair(1), 100);
    await store.putFromConsent('older', pair(2), 50);
    await store.putFromConsent('fresh', pair(3), 900);
    const dead = await store.putFromConsent('dead', pair(4), 10);
    await store.update(dead, { status: 'reauth_required', reauthReason: 'revoked' });

    expect(await store.listIdle(500, 10)).toEqual(['older', 'old']);
  });

  it('reads grants sealed with a retired key and re-seals them with the new one on the next write', async () => {
    const { redis, prefix } = redisForTest();
    const oldKey = key();
    const before = new RedisTokenStore({ redis, keyPrefix: prefix, cipher: createTokenCipher([oldKey]) });
    const written = await before.putFromConsent('acc-1', pair(1), 1);

    const rotatedCipher = createTokenCipher([key(), oldKey]);
    const after = new RedisTokenStore({ redis, keyPrefix: prefix, cipher: rotatedCipher });
    const read = await after.get('acc-1');
    expect(read).toMatchObject({ accessToken: written.accessToken, keyId: written.keyId });

    await after.update(read ?? written, pair(2));
    expect((await after.get('acc-1'))?.keyId).toBe(rotatedCipher.keyId);
    await expect(before.get('acc-1')).rejects.toMatchObject({ code: 'TOKEN_UNREADABLE' });
  });
});

describe('RedisConnectionStore', () => {
  it('makes one connection per site when two accounts consent at the same moment', async () => {
    const { redis, prefix } = redisForTest();
    const store = new RedisConnectionStore({ redis, keyPrefix: prefix, now: () => 1000 });

    const results = await Promise.all([
      store.upsertFromConsent(site(1), 'alice'),
      store.upsertFromConsent(site(1), 'bob'),
      store.upsertFromConsent(site(1), 'alice'),
    ]);

    expect(results.filter((r) => r.created)).toHaveLength(1);
    const all = await store.list();
    expect(all).toHaveLength(1);
    expect([...(all[0]?.accountIds ?? [])].sort()).toEqual(['alice', 'bob']);
    expect(await store.listByAccount('bob')).toEqual(all);
  });

  it('finds a connection by its site host, follows a site rename, and forgets the old host', async () => {
    const { redis, prefix } = redisForTest();
    const store = new RedisConnectionStore({ redis, keyPrefix: prefix });
    const { connection } = await store.upsertFromConsent(site(1), 'alice');

    expect(await store.findBySiteHost('SITE-1.atlassian.net')).toEqual(connection);
    await store.upsertFromConsent(site(1, 'https://renamed.atlassian.net'), 'alice');
    expect((await store.findBySiteHost('renamed.atlassian.net'))?.id).toBe(connection.id);
    expect(await store.findBySiteHost('site-1.atlassian.net')).toBeNull();
  });

  it('keeps status and project scope as set, and a new consent reactivates all but paused connections', async () => {
    const { redis, prefix } = redisForTest();
    const store = new RedisConnectionStore({ redis, keyPrefix: prefix });
    const a = (await store.upsertFromConsent(site(1), 'alice')).connection;
    const b = (await store.upsertFromConsent(site(2), 'alice')).connection;
    expect(a.projectKeys).toBeNull();

    expect((await store.setProjectKeys(a.id, ['OPS', 'SUP']))?.projectKeys).toEqual(['OPS', 'SUP']);
    expect((await store.setProjectKeys(b.id, []))?.projectKeys).toEqual([]);
    expect((await store.setProjectKeys(a.id, null))?.projectKeys).toBeNull();
    await store.setStatus(a.id, 'reauth_required');
    await store.setStatus(b.id, 'paused');
    expect(await store.setStatus('no-such-id', 'paused')).toBeNull();

    await store.upsertFromConsent(site(1), 'alice');
    await store.upsertFromConsent(site(2), 'alice');
    expect((await store.get(a.id))?.status).toBe('active');
    expect((await store.get(b.id))?.status).toBe('paused');
    expect((await store.get(b.id))?.projectKeys).toEqual([]);
  });
});

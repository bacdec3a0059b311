import { randomBytes } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { TokenPair } from '../../../src/atlassian/oauth/token-response.ts';
import { createLogger } from '../../../src/logger.ts';
import type { RedisClient } from '../../../src/state/redis-client.ts';
import { resealGrants } from '../../../src/tokens/grant-resealer.ts';
import { RedisTokenStore } from '../../../src/tokens/redis-token-store.ts';
import { createTokenCipher, keyIdOf, sealedKeyId } from '../../../src/tokens/token-cipher.ts';
import { deleteKeysWithPrefix } from '../../helpers/redis-keys.ts';
import { testRedis, uniqueName } from '../../helpers/services.ts';

const log = createLogger({ level: 'silent' });
const newKey = () => randomBytes(32).toString('base64');
const idOf = (key: string) => keyIdOf(Buffer.from(key, 'base64'));
const pair = (n: number): TokenPair => ({
  accessToken: `access-${n}-${randomBytes(6).toString('hex')}`,
  refreshToken: `refresh-${n}-${randomBytes(6).toString('hex')}`,
  expiresAt: 1_000_000,
  scopes: ['read:jira-work', 'offline_access'],
});

/** Stores over one Redis prefix, each with its own TOKEN_ENCRYPTION_KEY list. */
function stores(): { redis: RedisClient; with: (keys: string[]) => RedisTokenStore } {
  const redis = testRedis();
  const keyPrefix = uniqueName('jr-reseal');
  onTestFinished(async () => void (await deleteKeysWithPrefix(redis, keyPrefix)));
  return {
    redis,
    with: (keys) => new RedisTokenStore({ redis, keyPrefix, cipher: createTokenCipher(keys) }),
  };
}

/** The key id each account's stored tokens name, read from Redis as it stands. */
async function sealingKeys(store: RedisTokenStore): Promise<Record<string, string | null>> {
  const ids: Record<string, string | null> = {};
  let cursor = '0';
  do {
    const page = await store.sealedGrants(cursor);
    cursor = page.cursor;
    for (const grant of page.grants) ids[grant.accountId] = sealedKeyId(grant.sealed);
  } while (cursor !== '0');
  return ids;
}

describe('re-sealing grants after a key rotation', () => {
  it('re-seals every grant sealed with the old key, active or not, so a config without it still reads them', async () => {
    const [keyA, keyB] = [newKey(), newKey()];
    const s = stores();
    const underB = s.with([keyB]);
    const pairs = [pair(1), pair(2), pair(3)];
    for (const [i, tokens] of pairs.entries()) await underB.putFromConsent(`acc-${i}`, tokens, 1000 + i);
    const dead = await underB.get('acc-2');
    if (!dead) throw new Error('no grant');
    await underB.update(dead, { status: 'reauth_required', reauthReason: 'revoked' });

    const rotated = s.with([keyA, keyB]);
    expect(await resealGrants(rotated, log)).toEqual({ resealed: 3, current: 0, changed: 0, unreadable: 0 });
    expect(await sealingKeys(rotated)).toEqual({
      'acc-0': idOf(keyA),
      'acc-1': idOf(keyA),
      'acc-2': idOf(keyA),
    });
    // Nothing but the ciphertext changed: same tokens, same rev, the grant still active or not.
    const onlyA = s.with([keyA]);
    for (const [i, tokens] of pairs.entries()) {
      expect(await onlyA.get(`acc-${i}`)).toMatchObject({ ...tokens, keyId: idOf(keyA) });
    }
    expect(await onlyA.get('acc-2')).toMatchObject({ status: 'reauth_required', rev: dead.rev + 1 });
    expect(await resealGrants(rotated, log)).toEqual({ resealed: 0, current: 3, changed: 0, unreadable: 0 });
  });

  it('never overwrites tokens a refresh saved after the grant was read: that grant counts as changed', async () => {
    const [keyA, keyB] = [newKey(), newKey()];
    const s = stores();
    await s.with([keyB]).putFromConsent('acc-1', pair(1), 1000);
    const rotated = s.with([keyA, keyB]);
    // SCAN may answer pages without the grant on a busy shared Redis: page until it comes.
    let read: Awaited<ReturnType<typeof rotated.sealedGrants>>['grants'][number] | undefined;
    let cursor = '0';
    do {
      const page = await rotated.sealedGrants(cursor);
      read = page.grants[0];
      cursor = page.cursor;
    } while (!read && cursor !== '0');
    if (!read) throw new Error('no grant');

    // A refresh in another process that still seals with B saves the rotated pair in between.
    const before = await s.with([keyB]).get('acc-1');
    if (!before) throw new Error('no grant');
    const refreshedPair = pair(2);
    const refreshed = await s.with([keyB]).update(before, { ...refreshedPair, rotations: 1 });
    expect(refreshed).not.toBeNull();

    expect(await rotated.reseal(read)).toBe(false);
    expect(await rotated.get('acc-1')).toMatchObject({ ...refreshedPair, rotations: 1 });
    // The next sweep re-seals the refreshed tokens; a refresher that read before the re-seal can still save.
    const midRefresh = await rotated.get('acc-1');
    if (!midRefresh) throw new Error('no grant');
    expect(await resealGrants(rotated, log)).toMatchObject({ resealed: 1 });
    const saved = await rotated.update(midRefresh, { ...pair(3), rotations: 2 });
    expect(saved).toMatchObject({ rotations: 2, keyId: idOf(keyA) });
  });

  it('counts a grant sealed with a key no longer configured as unreadable, and goes on with the others', async () => {
    const [keyA, keyB, keyC] = [newKey(), newKey(), newKey()];
    const s = stores();
    await s.with([keyC]).putFromConsent('lost', pair(1), 1000);
    await s.with([keyB]).putFromConsent('kept', pair(2), 1000);
    await s.with([keyA]).putFromConsent('fresh', pair(3), 1000);
    expect(await resealGrants(s.with([keyA, keyB]), log)).toEqual({
      resealed: 1,
      current: 1,
      changed: 0,
      unreadable: 1,
    });
  });
});

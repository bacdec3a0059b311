import type { TokenPair } from '../atlassian/oauth/token-response.ts';
import { RelayError } from '../errors.ts';
import { familyPrefix, type RedisClient, slotNode } from '../state/redis-client.ts';
import type { Grant, GrantPatch, GrantStatus } from './grant.ts';
import { sealedKeyId, type TokenCipher } from './token-cipher.ts';
import type { SealedGrant, TokenStore } from './token-store.ts';

export interface RedisTokenStoreOptions {
  readonly redis: RedisClient;
  readonly cipher: TokenCipher;
  /** Prefix of every key this store writes (tests use a unique one). */
  readonly keyPrefix: string;
}

/**
 * Compare-and-set on `rev`: writes the given fields, bumps `rev`, and keeps the idle index in step
 * (active grants scored by `refreshedAt`; others leave it). Returns the new rev, or -1 on conflict.
 */
const updateScript = `
if redis.call('HGET', KEYS[1], 'rev') ~= ARGV[1] then return -1 end
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
local rev = redis.call('HINCRBY', KEYS[1], 'rev', 1)
if redis.call('HGET', KEYS[1], 'status') == 'active' then
  redis.call('ZADD', KEYS[2], redis.call('HGET', KEYS[1], 'refreshedAt'), ARGV[2])
else
  redis.call('ZREM', KEYS[2], ARGV[2])
end
return rev
`;

/**
 * Compare-and-set on the sealed tokens alone. `rev` is left as it is: the tokens inside are the
 * same, and a refresh that read the grant before must still be able to save the pair it rotated.
 */
const resealScript = `
if redis.call('HGET', KEYS[1], 'tokens') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'tokens', ARGV[2])
return 1
`;

/**
 * Grants in Redis: one hash per account. The token pair is one AES-256-GCM sealed value bound to
 * the account id; expiry, status and rotation metadata stay readable for operators and maintenance.
 */
export class RedisTokenStore implements TokenStore {
  readonly #redis: RedisClient;
  readonly #cipher: TokenCipher;
  readonly #prefix: string;

  constructor(opts: RedisTokenStoreOptions) {
    this.#redis = opts.redis;
    this.#cipher = opts.cipher;
    // A grant and the index of idle grants change in one script: one hash tag on a cluster.
    this.#prefix = familyPrefix(opts.redis, opts.keyPrefix, 'grants');
  }

  async get(accountId: string): Promise<Grant | null> {
    const fields = await this.#redis.hgetall(this.#grantKey(accountId));
    return fields.rev === undefined ? null : this.#decode(accountId, fields);
  }

  async putFromConsent(accountId: string, pair: TokenPair, now: number): Promise<Grant> {
    const fresh: Omit<Grant, 'rev' | 'keyId'> = {
      ...pair,
      accountId,
      status: 'active',
      reauthReason: null,
      createdAt: now,
      refreshedAt: now,
      refreshPendingSince: null,
      rotations: 0,
    };
    const key = this.#grantKey(accountId);
    // One transaction: the whole record is rewritten and rev moves on, so a compare-and-set started
    // against the previous token family fails instead of overwriting the new consent.
    const results = await this.#redis
      .multi()
      .hset(key, this.#encode(accountId, fresh))
      .hincrby(key, 'rev', 1)
      .zadd(this.#idleKey(), now, accountId)
      .exec();
    const rev = results?.[1]?.[1];
    if (typeof rev !== 'number') throw new RelayError('UNAVAILABLE', 'storing the grant failed');
    return { ...fresh, rev, keyId: this.#cipher.keyId };
  }

  async update(expected: Grant, patch: GrantPatch): Promise<Grant | null> {
    const merged = { ...expected, ...patch };
    const touchesTokens = patch.accessToken !== undefined || patch.refreshToken !== undefined;
    const fields = this.#encode(expected.accountId, merged, touchesTokens);
    const args = Object.entries(fields).flat();
    const rev = await this.#redis.eval(
      updateScript,
      2,
      this.#grantKey(expected.accountId),
      this.#idleKey(),
      String(expected.rev),
      expected.accountId,
      ...args,
    );
    if (rev === -1) return null;
    return { ...merged, rev: Number(rev), keyId: touchesTokens ? this.#cipher.keyId : expected.keyId };
  }

  async listIdle(refreshedBefore: number, limit: number): Promise<string[]> {
    return this.#redis.zrangebyscore(this.#idleKey(), '-inf', `(${refreshedBefore}`, 'LIMIT', 0, limit);
  }

  get sealingKeyId(): string {
    return this.#cipher.keyId;
  }

  async sealedGrants(cursor: string): Promise<{ cursor: string; grants: SealedGrant[] }> {
    // On a cluster SCAN walks one node: the one serving the grants' slot.
    const node = await slotNode(this.#redis, this.#idleKey());
    const [next, keys] = await node.scan(cursor, 'MATCH', this.#grantKey('*'), 'COUNT', 1000);
    const pipeline = this.#redis.pipeline();
    for (const key of keys) pipeline.hget(key, 'tokens');
    const results = (await pipeline.exec()) ?? [];
    const grants: SealedGrant[] = [];
    for (const [i, key] of keys.entries()) {
      const sealed = results[i]?.[1];
      if (typeof sealed === 'string')
        grants.push({ accountId: key.slice(this.#grantKey('').length), sealed });
    }
    return { cursor: next, grants };
  }

  async reseal({ accountId, sealed }: SealedGrant): Promise<boolean> {
    const context = this.#context(accountId);
    const resealed = this.#cipher.seal(this.#cipher.open(sealed, context), context);
    return (await this.#redis.eval(resealScript, 1, this.#grantKey(accountId), sealed, resealed)) === 1;
  }

  #encode(accountId: string, grant: Omit<Grant, 'rev' | 'keyId'>, withTokens = true): Record<string, string> {
    const fields: Record<string, string> = {
      expiresAt: String(grant.expiresAt),
      scopes: grant.scopes.join(' '),
      status: grant.status,
      reauthReason: grant.reauthReason ?? '',
      createdAt: String(grant.createdAt),
      refreshedAt: String(grant.refreshedAt),
      refreshPendingSince: grant.refreshPendingSince === null ? '' : String(grant.refreshPendingSince),
      rotations: String(grant.rotations),
    };
    if (withTokens) {
      const secret = JSON.stringify({ a: grant.accessToken, r: grant.refreshToken });
      fields.tokens = this.#cipher.seal(secret, this.#context(accountId));
    }
    return fields;
  }

  #decode(accountId: string, f: Record<string, string>): Grant {
    const sealed = f.tokens ?? '';
    const tokens = JSON.parse(this.#cipher.open(sealed, this.#context(accountId))) as {
      a: string;
      r: string;
    };
    return {
      accountId,
      accessToken: tokens.a,
      refreshToken: tokens.r,
      expiresAt: Number(f.expiresAt),
      scopes: f.scopes ? f.scopes.split(' ') : [],
      status: (f.status === 'active' ? 'active' : 'reauth_required') satisfies GrantStatus,
      reauthReason: f.reauthReason || null,
      createdAt: Number(f.createdAt),
      refreshedAt: Number(f.refreshedAt),
      refreshPendingSince: f.refreshPendingSince ? Number(f.refreshPendingSince) : null,
      rotations: Number(f.rotations ?? 0),
      keyId: sealedKeyId(sealed) ?? '',
      rev: Number(f.rev),
    };
  }

  #context(accountId: string): string {
    return `grant:${accountId}`;
  }

  #grantKey(accountId: string): string {
    return `${this.#prefix}:grant:${accountId}`;
  }

  #idleKey(): string {
    return `${this.#prefix}:grants:refreshed-at`;
  }
}

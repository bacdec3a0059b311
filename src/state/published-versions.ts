import { randomUUID } from 'node:crypto';
import { type RedisClient, slotTag } from './redis-client.ts';

/** One entity as one connector sees it: markers are per connector, so each publishes on its own. */
export interface PublishedRef {
  readonly connector: string;
  readonly siteHost: string;
  readonly entity: 'issue' | 'comment';
  readonly entityId: string;
}

/**
 * The answer to "may this worker publish version V now?":
 * - `claimed`: yes; publish, then `markPublished` with the token (or `release` it on failure);
 * - `published`: this version (or, for a deletion, the deletion) is out already: nothing to do;
 * - `superseded`: a newer version, or the deletion, is out or being published: drop this one, so
 *   an older version never follows a newer one;
 * - `busy`: another worker is publishing this or an older version: try again after `retryInMs`
 *   (that publish may still fail, so dropping would lose the change).
 */
export type ClaimOutcome =
  | {
      readonly kind: 'claimed';
      readonly token: string;
      /**
       * What this connector last published of the entity: its snapshot (opaque to this store),
       * `null` when it published a version without one (markers written before snapshots were
       * kept), `undefined` when it never published anything of it.
       */
      readonly lastSnapshot?: string | null;
    }
  | { readonly kind: 'published' | 'superseded'; readonly version: number }
  | { readonly kind: 'busy'; readonly version: number; readonly retryInMs: number };

export interface VersionOptions {
  /** Deletions have their own version (the delivery time) and win over every other version. */
  readonly deletion: boolean;
}

export interface MarkOptions extends VersionOptions {
  /**
   * The entity as this connector published it, kept with the marker so the next version is mapped
   * against what this connector's consumers saw (a transition another connector published, or one
   * still in flight, does not count). Dropped on deletion.
   */
  readonly snapshot?: string;
}

/**
 * The highest version published per (connector, entity). At least once: if a worker dies between
 * the broker's ack and `markPublished`, its claim lapses and a retry publishes the same version
 * again, under the same ce_id, which consumers drop.
 */
export interface PublishedVersions {
  claim(ref: PublishedRef, version: number, opts: VersionOptions): Promise<ClaimOutcome>;
  markPublished(ref: PublishedRef, version: number, token: string, opts: MarkOptions): Promise<void>;
  release(ref: PublishedRef, token: string): Promise<void>;
  /**
   * Keeps the claim alive while `work` (the publish) runs, however long: a batch already handed
   * to the producer settles only when kafkajs settles it, and a claim that lapsed meanwhile would
   * let a newer version out first, with this older one landing after it.
   */
  holdWhile<T>(ref: PublishedRef, token: string, work: Promise<T>): Promise<T>;
  current(ref: PublishedRef): Promise<{ readonly version: number; readonly deleted: boolean } | null>;
}

// One hash per entity: v/d (published version, deletion flag), s (the snapshot published with v),
// cv/cd/ct/cexp (the claim in flight: version, deletion flag, token, expiry in ms of Redis time).
// One key keeps it Redis Cluster-safe.
// KEYS[1]; ARGV: version, deletion ('1'/'0'), token, lease ms, ttl ms.
const claimScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local h = redis.call('HMGET', KEYS[1], 'v', 'd', 'cv', 'cd', 'cexp')
local version = tonumber(ARGV[1])
local deletion = ARGV[2] == '1'
if h[2] == '1' then
  if deletion then return {'published', h[1]} end
  return {'superseded', h[1]}
end
if h[1] and not deletion then
  local v = tonumber(h[1])
  if version == v then return {'published', h[1]} end
  if version < v then return {'superseded', h[1]} end
end
if h[3] and tonumber(h[5]) > now then
  local remaining = tostring(tonumber(h[5]) - now)
  if h[4] == '1' and not deletion then return {'superseded', h[3]} end
  if h[4] ~= '1' and not deletion and version < tonumber(h[3]) then return {'superseded', h[3]} end
  return {'busy', h[3], remaining}
end
redis.call('HSET', KEYS[1], 'cv', ARGV[1], 'cd', ARGV[2], 'ct', ARGV[3], 'cexp', tostring(now + tonumber(ARGV[4])))
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[5]) then redis.call('PEXPIRE', KEYS[1], ARGV[5]) end
if not h[1] then return {'claimed', ARGV[3], 'none'} end
local s = redis.call('HGET', KEYS[1], 's')
if not s then return {'claimed', ARGV[3], 'unknown'} end
return {'claimed', ARGV[3], 'snapshot', s}
`;

// KEYS[1]; ARGV: version, deletion, token, ttl ms, snapshot ('' for none). Versions only move
// forward; a deletion sticks.
const markScript = `
local h = redis.call('HMGET', KEYS[1], 'v', 'd', 'ct')
if h[2] ~= '1' then
  if ARGV[2] == '1' then
    redis.call('HSET', KEYS[1], 'v', ARGV[1], 'd', '1')
    redis.call('HDEL', KEYS[1], 's')
  elseif not h[1] or tonumber(ARGV[1]) > tonumber(h[1]) then
    redis.call('HSET', KEYS[1], 'v', ARGV[1], 'd', '0')
    if ARGV[5] == '' then redis.call('HDEL', KEYS[1], 's') else redis.call('HSET', KEYS[1], 's', ARGV[5]) end
  end
end
if h[3] == ARGV[3] then redis.call('HDEL', KEYS[1], 'cv', 'cd', 'ct', 'cexp') end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`;

// KEYS[1]; ARGV: token. Only the holder's own claim is dropped.
const releaseScript = `
if redis.call('HGET', KEYS[1], 'ct') == ARGV[1] then redis.call('HDEL', KEYS[1], 'cv', 'cd', 'ct', 'cexp') end
return 1
`;

// KEYS[1]; ARGV: token, lease ms. 1 when the caller still held the claim and its lease was renewed.
const extendScript = `
if redis.call('HGET', KEYS[1], 'ct') ~= ARGV[1] then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], 'cexp', tostring(now + tonumber(ARGV[2])))
return 1
`;

interface Commands {
  pvClaim(
    key: string,
    version: string,
    deletion: string,
    token: string,
    lease: string,
    ttl: string,
  ): Promise<string[]>;
  pvMark(
    key: string,
    version: string,
    deletion: string,
    token: string,
    ttl: string,
    snapshot: string,
  ): Promise<number>;
  pvRelease(key: string, token: string): Promise<number>;
  pvExtend(key: string, token: string, lease: string): Promise<number>;
}

export interface RedisPublishedVersionsOptions {
  /** Key prefix (QUEUE_PREFIX, or a test's unique name). */
  readonly prefix: string;
  /** How long a claim holds (PUBLISH_CLAIM_TTL_MS): longer than a publish normally takes. */
  readonly claimTtlMs: number;
  /** How long a marker lives after its last write (PUBLISHED_VERSION_TTL_SECONDS). */
  readonly markerTtlSeconds: number;
}

/** PublishedVersions in Redis: every decision is one Lua script, atomic across all workers. */
export class RedisPublishedVersions implements PublishedVersions {
  readonly #redis: RedisClient & Commands;
  readonly #opts: RedisPublishedVersionsOptions;

  constructor(redis: RedisClient, opts: RedisPublishedVersionsOptions) {
    redis.defineCommand('pvClaim', { numberOfKeys: 1, lua: claimScript });
    redis.defineCommand('pvMark', { numberOfKeys: 1, lua: markScript });
    redis.defineCommand('pvRelease', { numberOfKeys: 1, lua: releaseScript });
    redis.defineCommand('pvExtend', { numberOfKeys: 1, lua: extendScript });
    this.#redis = redis as RedisClient & Commands;
    this.#opts = opts;
  }

  async claim(ref: PublishedRef, version: number, opts: VersionOptions): Promise<ClaimOutcome> {
    const [kind, value = '', third = '0', snapshot = ''] = await this.#redis.pvClaim(
      this.#key(ref),
      String(version),
      opts.deletion ? '1' : '0',
      randomUUID(),
      String(this.#opts.claimTtlMs),
      String(this.#ttlMs()),
    );
    if (kind === 'claimed') {
      if (third === 'none') return { kind, token: value };
      return { kind, token: value, lastSnapshot: third === 'snapshot' ? snapshot : null };
    }
    if (kind === 'busy') return { kind, version: Number(value), retryInMs: Number(third) };
    return { kind: kind === 'published' ? 'published' : 'superseded', version: Number(value) };
  }

  async markPublished(ref: PublishedRef, version: number, token: string, opts: MarkOptions): Promise<void> {
    await this.#redis.pvMark(
      this.#key(ref),
      String(version),
      opts.deletion ? '1' : '0',
      token,
      String(this.#ttlMs()),
      opts.deletion ? '' : (opts.snapshot ?? ''),
    );
  }

  async release(ref: PublishedRef, token: string): Promise<void> {
    await this.#redis.pvRelease(this.#key(ref), token);
  }

  async holdWhile<T>(ref: PublishedRef, token: string, work: Promise<T>): Promise<T> {
    const key = this.#key(ref);
    const lease = String(this.#opts.claimTtlMs);
    // Renewed three times per lease, so one slow or failed renewal does not let it lapse.
    const renew = setInterval(
      () => void this.#redis.pvExtend(key, token, lease).catch(() => undefined),
      Math.max(10, Math.floor(this.#opts.claimTtlMs / 3)),
    );
    try {
      return await work;
    } finally {
      clearInterval(renew);
    }
  }

  async current(ref: PublishedRef): Promise<{ version: number; deleted: boolean } | null> {
    const [v, d] = await this.#redis.hmget(this.#key(ref), 'v', 'd');
    return v === null || v === undefined ? null : { version: Number(v), deleted: d === '1' };
  }

  #key(ref: PublishedRef): string {
    return `${this.#opts.prefix}:published:${ref.connector}:${slotTag(this.#redis, ref.siteHost)}:${ref.entity}:${ref.entityId}`;
  }

  #ttlMs(): number {
    return this.#opts.markerTtlSeconds * 1000;
  }
}

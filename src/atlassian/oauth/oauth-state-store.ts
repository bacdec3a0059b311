import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { type RedisClient, slotTag } from '../../state/redis-client.ts';

/** Why a callback's `state` was refused; each gets its own page. */
export type StateRejection = 'missing' | 'expired' | 'reused' | 'foreign';
/** A live state's promise: `site` is the one site its consent may connect (null: any allowed site). */
export type StateCheck =
  | { readonly ok: true; readonly site: string | null }
  | { readonly ok: false; readonly reason: StateRejection };

export interface OAuthStateStoreOptions {
  readonly redis: RedisClient;
  readonly keyPrefix: string;
  /** OAUTH_STATE_TTL_SECONDS: how long a state can be used. */
  readonly ttlSeconds: number;
  /** OAUTH_STATE_MEMORY_SECONDS: how long a used or expired state is still recognised. */
  readonly memorySeconds: number;
}

/**
 * Consumes a live state exactly once (GETDEL) and remembers that it was used; when the state is not
 * live, the memory key says whether it expired, was used, or was never ours.
 */
const consumeScript = `
local binding = redis.call('GETDEL', KEYS[1])
if binding then
  redis.call('SET', KEYS[2], 'used', 'EX', ARGV[1])
  return {'live', binding}
end
local seen = redis.call('GET', KEYS[2])
if seen then return {seen, ''} end
return {'unknown', ''}
`;

/**
 * OAuth `state`: 32 random bytes, usable once within the TTL, bound to the browser that started
 * the flow. Redis holds only hashes: the state's (key) and the browser binding's (value).
 */
export class OAuthStateStore {
  readonly #o: OAuthStateStoreOptions;

  constructor(opts: OAuthStateStoreOptions) {
    this.#o = opts;
  }

  /** A new state bound to `binding` (the browser's cookie value), for one site or (null) any. */
  async issue(binding: string, site: string | null = null): Promise<string> {
    const state = randomBytes(32).toString('base64url');
    const id = sha256(state);
    await this.#redis
      .multi()
      .set(this.#liveKey(id), `${sha256(binding)} ${site ?? ''}`, 'EX', this.#o.ttlSeconds)
      .set(this.#memoryKey(id), 'issued', 'EX', this.#o.memorySeconds)
      .exec();
    return state;
  }

  /** Uses up `state`; ok only if it is live and was issued to the same `binding`. */
  async consume(state: string | undefined, binding: string | undefined): Promise<StateCheck> {
    if (!state) return { ok: false, reason: 'missing' };
    const id = sha256(state);
    const [kind, bound] = (await this.#redis.eval(
      consumeScript,
      2,
      this.#liveKey(id),
      this.#memoryKey(id),
      String(this.#o.memorySeconds),
    )) as [string, string];
    if (kind === 'used') return { ok: false, reason: 'reused' };
    if (kind === 'issued') return { ok: false, reason: 'expired' };
    if (kind !== 'live') return { ok: false, reason: 'foreign' };
    const [boundHash = '', site = ''] = bound.split(' ');
    const matches =
      binding !== undefined && timingSafeEqual(Buffer.from(boundHash), Buffer.from(sha256(binding)));
    return matches ? { ok: true, site: site === '' ? null : site } : { ok: false, reason: 'foreign' };
  }

  get #redis(): RedisClient {
    return this.#o.redis;
  }

  #liveKey(id: string): string {
    return `${this.#o.keyPrefix}:oauth-state:${slotTag(this.#o.redis, id)}`;
  }

  #memoryKey(id: string): string {
    return `${this.#o.keyPrefix}:oauth-state-seen:${slotTag(this.#o.redis, id)}`;
  }
}

/** A fresh browser binding for the state cookie. */
export function newStateBinding(): string {
  return randomBytes(32).toString('base64url');
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../state/redis-client.ts';

/** A held lock; releasing is safe after expiry (it never frees a lock someone else took since). */
export interface LockLease {
  release(): Promise<void>;
}

/** One refresh at a time per grant, across every process that shares the Redis. */
export interface RefreshLock {
  /** null when another holder has it. */
  tryAcquire(accountId: string): Promise<LockLease | null>;
}

const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * SET NX PX with a random owner token. The expiry frees the lock if its holder dies mid-refresh;
 * it must exceed the token request timeout so a live holder never loses it.
 */
export class RedisRefreshLock implements RefreshLock {
  readonly #redis: RedisClient;
  readonly #prefix: string;
  readonly #ttlMs: number;

  constructor(opts: { redis: RedisClient; keyPrefix: string; ttlMs: number }) {
    this.#redis = opts.redis;
    this.#prefix = opts.keyPrefix;
    this.#ttlMs = opts.ttlMs;
  }

  async tryAcquire(accountId: string): Promise<LockLease | null> {
    const key = `${this.#prefix}:lock:grant-refresh:${accountId}`;
    const owner = randomBytes(16).toString('hex');
    const ok = await this.#redis.set(key, owner, 'PX', this.#ttlMs, 'NX');
    if (ok !== 'OK') return null;
    return {
      release: async () => {
        await this.#redis.eval(releaseScript, 1, key, owner);
      },
    };
  }
}

import type { Redis } from 'ioredis';

/** Wrong admin tokens per client address, shared in Redis by every api process. */
export interface AuthThrottle {
  /** Seconds until this address may try a token again; 0 when it may now. */
  retryAfterSeconds(ip: string): Promise<number>;
  recordFailure(ip: string): Promise<void>;
}

export interface AuthThrottleOptions {
  readonly redis: Redis;
  readonly keyPrefix: string;
  /** ADMIN_AUTH_MAX_FAILURES: wrong tokens an address may present in one window. */
  readonly maxFailures: number;
  /** ADMIN_AUTH_FAILURE_WINDOW_SECONDS: the window, counted from an address's first failure. */
  readonly windowSeconds: number;
}

/**
 * Guessing ADMIN_TOKEN is slowed to `maxFailures` tries per window per address. Only presented
 * tokens count (bearer headers and the sign-in form), not session cookies: an expired session in a
 * polling dashboard must not lock its operator out. If Redis cannot answer, tokens are still
 * checked: the admin surface is no less usable than Redis makes it anyway.
 */
export class RedisAuthThrottle implements AuthThrottle {
  readonly #o: AuthThrottleOptions;

  constructor(opts: AuthThrottleOptions) {
    this.#o = opts;
  }

  async retryAfterSeconds(ip: string): Promise<number> {
    try {
      const [count, ttl] = await Promise.all([
        this.#o.redis.get(this.#key(ip)),
        this.#o.redis.ttl(this.#key(ip)),
      ]);
      return Number(count ?? 0) >= this.#o.maxFailures ? Math.max(1, ttl) : 0;
    } catch {
      return 0;
    }
  }

  async recordFailure(ip: string): Promise<void> {
    const key = this.#key(ip);
    await this.#o.redis
      .multi()
      .incr(key)
      .expire(key, this.#o.windowSeconds, 'NX')
      .exec()
      .catch(() => undefined);
  }

  #key(ip: string): string {
    return `${this.#o.keyPrefix}:admin-auth-failures:${ip}`;
  }
}

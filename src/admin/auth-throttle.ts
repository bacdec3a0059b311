import type { RedisClient } from '../state/redis-client.ts';

/** Whether a presented admin token may be checked now. */
export type AuthAttempt =
  /** Counted against the address; `forgive` it when the token turns out right. */
  | { readonly kind: 'admitted' }
  /** The address used up its tries: nothing is checked until then. */
  | { readonly kind: 'refused'; readonly retryAfterSeconds: number }
  /** The count could not be kept: nothing is checked (fails closed). */
  | { readonly kind: 'unavailable'; readonly err: unknown };

/** Presented admin tokens per client address, counted in Redis and shared by every api process. */
export interface AuthThrottle {
  /** Counts an attempt, in the same step as it checks the limit: run it before checking the token. */
  admit(ip: string): Promise<AuthAttempt>;
  /** The admitted attempt's token was right: it no longer counts against the address. */
  forgive(ip: string): Promise<void>;
}

/** Retry-After of the 503 a presented token gets while Redis cannot keep the failure count. */
export const unavailableRetrySeconds = 5;

export interface AuthThrottleOptions {
  readonly redis: RedisClient;
  readonly keyPrefix: string;
  /** ADMIN_AUTH_MAX_FAILURES: wrong tokens an address may present in one window. */
  readonly maxFailures: number;
  /** ADMIN_AUTH_FAILURE_WINDOW_SECONDS: the window, counted from an address's first failure. */
  readonly windowSeconds: number;
  /** How long to wait for Redis before refusing to check (default 2 s). */
  readonly timeoutMs?: number;
}

// KEYS[1] the address's count. ARGV: limit, window s. Returns 0 (admitted) or seconds to wait.
const admitScript = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count >= tonumber(ARGV[1]) then
  local ttl = redis.call('TTL', KEYS[1])
  if ttl > 0 then return ttl end
  redis.call('EXPIRE', KEYS[1], ARGV[2])
  return tonumber(ARGV[2])
end
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[2], 'NX')
return 0
`;

// KEYS[1] the address's count. Never below zero, never a key without its expiry.
const forgiveScript = `
if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end
return 0
`;

interface Commands {
  adminAuthAdmit(key: string, limit: number, windowSeconds: number): Promise<number>;
  adminAuthForgive(key: string): Promise<number>;
}

/**
 * Guessing ADMIN_TOKEN is slowed to `maxFailures` tries per window per address. Every presented
 * token is counted, in one script with the limit check, before it is checked: parallel guesses
 * cannot all pass a check that has not seen the others yet. A right token gives its try back.
 * Only presented tokens count (bearer headers and the sign-in form), not session cookies: an
 * expired session in a polling dashboard must not lock its operator out. When Redis cannot
 * answer, no token is checked: an unlimited guess is worse than an admin surface that waits.
 */
export class RedisAuthThrottle implements AuthThrottle {
  readonly #o: AuthThrottleOptions;
  readonly #redis: RedisClient & Commands;

  constructor(opts: AuthThrottleOptions) {
    this.#o = opts;
    opts.redis.defineCommand('adminAuthAdmit', { numberOfKeys: 1, lua: admitScript });
    opts.redis.defineCommand('adminAuthForgive', { numberOfKeys: 1, lua: forgiveScript });
    this.#redis = opts.redis as RedisClient & Commands;
  }

  async admit(ip: string): Promise<AuthAttempt> {
    try {
      const wait = await this.#within(
        this.#redis.adminAuthAdmit(this.#key(ip), this.#o.maxFailures, this.#o.windowSeconds),
      );
      return wait > 0 ? { kind: 'refused', retryAfterSeconds: wait } : { kind: 'admitted' };
    } catch (err) {
      return { kind: 'unavailable', err };
    }
  }

  async forgive(ip: string): Promise<void> {
    // Not forgiven, the try merely counts until the window ends: nothing to fail for.
    await this.#within(this.#redis.adminAuthForgive(this.#key(ip))).catch(() => undefined);
  }

  /** ioredis queues commands while it reconnects; an admin request must not wait on that. */
  #within<T>(command: Promise<T>): Promise<T> {
    const ms = this.#o.timeoutMs ?? 2000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
    });
    return Promise.race([command, timeout]).finally(() => clearTimeout(timer));
  }

  #key(ip: string): string {
    return `${this.#o.keyPrefix}:admin-auth-failures:${ip}`;
  }
}

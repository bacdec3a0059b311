import type { RedisClient } from './redis-client.ts';

/**
 * At most `max` requests per client address and minute, counted in Redis so every api process
 * shares the count. The count comes first (INCR), so parallel requests cannot all slip under the
 * limit; a Redis failure throws, and the caller refuses the request (fails closed).
 */
export class FixedWindowLimit {
  readonly #redis: RedisClient;
  readonly #prefix: string;
  readonly #max: number;
  readonly #now: () => number;

  constructor(opts: {
    redis: RedisClient;
    keyPrefix: string;
    name: string;
    max: number;
    now?: () => number;
  }) {
    this.#redis = opts.redis;
    this.#prefix = `${opts.keyPrefix}:limit:${opts.name}`;
    this.#max = opts.max;
    this.#now = opts.now ?? Date.now;
  }

  /** 0 when the request may go on; else the seconds until the window ends. */
  async retryAfterSeconds(client: string): Promise<number> {
    const now = this.#now();
    const minute = Math.floor(now / 60_000);
    const key = `${this.#prefix}:${client}:${minute}`;
    const [[incrErr, count] = [null, 0]] = (await this.#redis.multi().incr(key).expire(key, 61).exec()) ?? [];
    if (incrErr) throw incrErr;
    return Number(count) > this.#max ? Math.ceil(((minute + 1) * 60_000 - now) / 1000) : 0;
  }
}

import { createHash, randomBytes } from 'node:crypto';
import type { RedisClient } from '../../state/redis-client.ts';

/** A connect link's promise: the consent it starts may connect this site (null: any allowed site). */
export interface ConnectLink {
  readonly site: string | null;
}

/**
 * Single-use links that let a browser start the OAuth consent (`/oauth/start?link=...`): the admin
 * API issues them, for a named site or for any allowed site, so connecting a site is always an
 * operator's act. Redis holds only the link's hash, and forgets it when used or expired.
 */
export class RedisConnectLinkStore {
  readonly #redis: RedisClient;
  readonly #prefix: string;
  readonly #ttlSeconds: number;

  constructor(opts: { redis: RedisClient; keyPrefix: string; ttlSeconds: number }) {
    this.#redis = opts.redis;
    this.#prefix = opts.keyPrefix;
    this.#ttlSeconds = opts.ttlSeconds;
  }

  /** A new link token and when it expires (epoch ms). */
  async issue(link: ConnectLink, now: number): Promise<{ token: string; expiresAt: number }> {
    const token = randomBytes(32).toString('base64url');
    await this.#redis.set(this.#key(token), JSON.stringify(link), 'EX', this.#ttlSeconds);
    return { token, expiresAt: now + this.#ttlSeconds * 1000 };
  }

  /** Uses the link up; undefined when it is unknown, used or expired. */
  async consume(token: string): Promise<ConnectLink | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
    const stored = await this.#redis.getdel(this.#key(token));
    if (stored === null) return undefined;
    const parsed = JSON.parse(stored) as { site?: unknown };
    return { site: typeof parsed.site === 'string' ? parsed.site : null };
  }

  #key(token: string): string {
    return `${this.#prefix}:connect-link:${createHash('sha256').update(token).digest('hex')}`;
  }
}

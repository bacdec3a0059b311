import type { RedisClient } from '../state/redis-client.ts';

const renewScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;
const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

interface Commands {
  leaseRenew(key: string, owner: string, ttl: string): Promise<number>;
  leaseRelease(key: string, owner: string): Promise<number>;
}

/**
 * At most one sync job per site in flight (BullMQ's open-source queue has no groups): a job holds
 * its connection's lease while it runs and renews it after every page. A worker killed mid-job
 * stops renewing, so the lease lapses after its TTL and the job's retry takes over.
 */
export class RedisSiteLease {
  readonly #redis: RedisClient & Commands;
  readonly #prefix: string;
  readonly #ttlMs: number;

  constructor(redis: RedisClient, prefix: string, ttlMs: number) {
    redis.defineCommand('leaseRenew', { numberOfKeys: 1, lua: renewScript });
    redis.defineCommand('leaseRelease', { numberOfKeys: 1, lua: releaseScript });
    this.#redis = redis as RedisClient & Commands;
    this.#prefix = prefix;
    this.#ttlMs = ttlMs;
  }

  async acquire(connectionId: string, owner: string): Promise<boolean> {
    return (await this.#redis.set(this.#key(connectionId), owner, 'PX', this.#ttlMs, 'NX')) === 'OK';
  }

  /** false when the lease was lost (it lapsed and another job took it). */
  async renew(connectionId: string, owner: string): Promise<boolean> {
    return (await this.#redis.leaseRenew(this.#key(connectionId), owner, String(this.#ttlMs))) === 1;
  }

  async release(connectionId: string, owner: string): Promise<void> {
    await this.#redis.leaseRelease(this.#key(connectionId), owner);
  }

  /** A job of higher priority (a poll) waits for the site: the holder should yield at its next page. */
  async askToYield(connectionId: string, jobId: string): Promise<void> {
    await this.#redis.set(this.#yieldKey(connectionId), jobId, 'PX', this.#ttlMs * 2);
  }

  async yieldWanted(connectionId: string): Promise<boolean> {
    return (await this.#redis.exists(this.#yieldKey(connectionId))) === 1;
  }

  /** The job waiting for the site, if any; the request is used up. */
  async takeYieldRequest(connectionId: string): Promise<string | null> {
    return this.#redis.getdel(this.#yieldKey(connectionId));
  }

  #yieldKey(connectionId: string): string {
    return `${this.#prefix}:sync:${connectionId}:yield`;
  }

  #key(connectionId: string): string {
    return `${this.#prefix}:sync:${connectionId}:lease`;
  }
}

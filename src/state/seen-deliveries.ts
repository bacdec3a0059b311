import type { Redis } from 'ioredis';

// KEYS[1] seen key; ARGV: job id, ttl ms. The first job to claim a delivery owns it; its own
// retries still pass, any other job carrying the same delivery is a duplicate.
const claimScript = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then return 1 end
return 0
`;

interface SeenCommands {
  claimDelivery(key: string, jobId: string, ttlMs: number): Promise<number>;
}

/** Where a delivery's claim lives; intake sets it, for the job that carries the delivery. */
export function seenKey(prefix: string, deliveryKey: string): string {
  return `${prefix}:seen:${deliveryKey}`;
}

/**
 * Worker-side dedupe of webhook deliveries for the whole dedupe window. Intake sets the claim
 * already, in the transaction that stores the job, naming the delivery's place in that job: the
 * worker passes it there, and drops the copies other jobs carry. A delivery whose claim was not
 * set at intake (expired, or written by an older version) is claimed here.
 */
export class RedisSeenDeliveries {
  readonly #redis: Redis & SeenCommands;
  readonly #prefix: string;
  readonly #ttlMs: number;

  constructor(redis: Redis, prefix: string, ttlMs: number) {
    redis.defineCommand('claimDelivery', { numberOfKeys: 1, lua: claimScript });
    this.#redis = redis as Redis & SeenCommands;
    this.#prefix = prefix;
    this.#ttlMs = ttlMs;
  }

  /** True when this job may process the delivery; false when another job already did. */
  async claim(deliveryKey: string, jobId: string): Promise<boolean> {
    return (await this.#redis.claimDelivery(seenKey(this.#prefix, deliveryKey), jobId, this.#ttlMs)) === 1;
  }
}

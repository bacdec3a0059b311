import type { Redis } from 'ioredis';

// KEYS[1] seen key; ARGV: owner (the delivery's place in its job), ttl ms. The first job to claim a
// delivery owns it; its own retries still pass. Any other job carrying the same delivery holds a
// repeat: 2 when intake already answered it as one (its mark, see answeredRepeatKey), else 0.
const claimScript = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then return 1 end
if redis.call('EXISTS', KEYS[1] .. '|' .. ARGV[1]) == 1 then return 2 end
return 0
`;

/** What the events worker may do with a delivery of a job. */
export type DeliveryClaim =
  /** Process it: the claim names this place (set now, by intake, or by an earlier attempt). */
  | 'claimed'
  /** Drop it: a repeat that intake found and answered as one (and counted). */
  | 'answered_repeat'
  /** Drop it: a repeat that only the worker found (intake could not claim it). */
  | 'repeat';

interface SeenCommands {
  claimDelivery(key: string, owner: string, ttlMs: number): Promise<number>;
}

/** Where a delivery's claim lives; intake sets it, for the job that carries the delivery. */
export function seenKey(prefix: string, deliveryKey: string): string {
  return `${prefix}:seen:${deliveryKey}`;
}

/**
 * Intake's mark on a repeat it answered as one (200) while storing it in a job all the same (claims
 * are decided inside the transaction that stores the job): `<seen key>|<owner>`, where the owner is
 * the repeat's place in that job. The events worker then drops it without counting it again. Lua
 * builds the same name (here and in the intake's claim script).
 */
export function answeredRepeatKey(seen: string, owner: string): string {
  return `${seen}|${owner}`;
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

  /** Whether the delivery at `owner` (`<job id>/<index>`) is this job's to process, or a repeat. */
  async claim(deliveryKey: string, owner: string): Promise<DeliveryClaim> {
    const answer = await this.#redis.claimDelivery(seenKey(this.#prefix, deliveryKey), owner, this.#ttlMs);
    return answer === 1 ? 'claimed' : answer === 2 ? 'answered_repeat' : 'repeat';
  }
}

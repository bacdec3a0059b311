import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../state/redis-client.ts';
import type { DeadLetter } from './event-publisher.ts';

/** A dead letter waiting in Redis for the broker's ack; `id` is its stream entry id. */
export interface RecordedDeadLetter {
  readonly id: string;
  readonly letter: DeadLetter;
}

export interface DeadLetterOutboxOptions {
  /** Key prefix (QUEUE_PREFIX, or a test's unique name). */
  readonly prefix: string;
  /** Most letters kept (DEAD_LETTER_MAX_PENDING); past it the oldest are dropped. */
  readonly maxPending: number;
}

// KEYS[1]; ARGV: owner. Only the holder's own lease is dropped.
const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * Dead letters not yet acknowledged by Kafka, in a capped Redis stream (one key, so it is Redis
 * Cluster-safe), oldest first. A letter is recorded before it is sent and removed once the broker
 * acked it; whatever is left is re-sent later. The cap bounds Redis memory through a long outage:
 * the failed jobs themselves stay visible in BullMQ either way.
 */
export class RedisDeadLetterOutbox {
  readonly #redis: RedisClient;
  readonly #key: string;
  readonly #maxPending: number;

  constructor(redis: RedisClient, opts: DeadLetterOutboxOptions) {
    this.#redis = redis;
    this.#key = `${opts.prefix}:dead-letters:pending`;
    this.#maxPending = opts.maxPending;
  }

  /** Records the letter; `dropped` says the cap pushed the oldest pending letter out. */
  async record(letter: DeadLetter): Promise<{ id: string; pending: number; dropped: boolean }> {
    const results = await this.#redis
      .multi()
      .xlen(this.#key)
      .xadd(this.#key, 'MAXLEN', this.#maxPending, '*', 'letter', JSON.stringify(letter))
      .xlen(this.#key)
      .exec();
    const [before, id, after] = (results ?? []).map(([err, value]) => {
      if (err) throw err;
      return value;
    });
    if (typeof id !== 'string') throw new Error('the dead letter was not recorded');
    return { id, pending: Number(after), dropped: Number(before) >= this.#maxPending };
  }

  async remove(id: string): Promise<void> {
    await this.#redis.xdel(this.#key, id);
  }

  /** The oldest letters recorded before `recordedBefore` (epoch ms), at most `count`. */
  async oldest(count: number, recordedBefore: number): Promise<RecordedDeadLetter[]> {
    const end = String(Math.max(0, recordedBefore - 1));
    const entries = await this.#redis.xrange(this.#key, '-', end, 'COUNT', count);
    return entries.map(([id, fields]) => ({ id, letter: JSON.parse(fields[1] ?? 'null') as DeadLetter }));
  }

  async count(): Promise<number> {
    return this.#redis.xlen(this.#key);
  }

  /** One re-send at a time across processes; null while another holds it. */
  async tryLease(ttlMs: number): Promise<{ release(): Promise<void> } | null> {
    const key = `${this.#key}:resend-lease`;
    const owner = randomUUID();
    if ((await this.#redis.set(key, owner, 'PX', ttlMs, 'NX')) !== 'OK') return null;
    return {
      release: async () => {
        await this.#redis.eval(releaseScript, 1, key, owner);
      },
    };
  }
}

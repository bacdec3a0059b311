import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { WebhookDelivery } from './webhook-delivery.ts';

export type EnqueueOutcome = 'queued' | 'duplicate';

/** Where verified deliveries go; `enqueue` resolves only once the delivery is stored in Redis. */
export interface DeliveryQueue {
  enqueue(delivery: WebhookDelivery): Promise<EnqueueOutcome>;
}

/** The events job: deliveries accepted together, processed in order by the events worker. */
export interface DeliveryBatch {
  readonly deliveries: readonly WebhookDelivery[];
}

export interface BatchingDeliveryQueueOptions {
  readonly queue: Queue<DeliveryBatch>;
  readonly redis: Redis;
  readonly keyPrefix: string;
  /** How long a delivery id is remembered (WEBHOOK_DEDUPE_TTL_SECONDS). */
  readonly dedupeTtlMs: number;
  /** Most deliveries in one job. */
  readonly maxBatch?: number;
}

interface Pending {
  readonly delivery: WebhookDelivery;
  readonly resolve: (outcome: EnqueueOutcome) => void;
  readonly reject: (err: unknown) => void;
}

/** A claim that outlives a failed enqueue only briefly: Jira's next retry comes minutes later. */
const provisionalClaimMs = 30_000;

// KEYS: the claim of each delivery; ARGV[1]: provisional ms. 1 where this call made the claim.
const claimScript = `
local claimed = {}
for i, key in ipairs(KEYS) do
  claimed[i] = redis.call('SET', key, '1', 'PX', ARGV[1], 'NX') and 1 or 0
end
return claimed`;

// KEYS: claims of stored deliveries; ARGV[1]: the dedupe window in ms.
const confirmScript = `
for _, key in ipairs(KEYS) do redis.call('PEXPIRE', key, ARGV[1]) end
return #KEYS`;

interface ClaimCommands {
  deliveryClaim(numKeys: number, ...keysThenMs: string[]): Promise<number[]>;
  deliveryConfirm(numKeys: number, ...keysThenMs: string[]): Promise<number>;
}

/**
 * Micro-batches intake: deliveries that arrive in the same event-loop turn are claimed in one
 * script call (SET NX per delivery id) and stored as one BullMQ job, so a burst costs two Redis round
 * trips and one job instead of a job each. Claims start short-lived and are extended to the dedupe
 * window only once the job is stored: a failed store never turns Jira's retry into a "duplicate".
 */
export class BatchingDeliveryQueue implements DeliveryQueue {
  readonly #o: Required<BatchingDeliveryQueueOptions>;
  readonly #redis: Redis & ClaimCommands;
  #batch: Pending[] = [];

  constructor(opts: BatchingDeliveryQueueOptions) {
    this.#o = { maxBatch: 200, ...opts };
    this.#redis = opts.redis as Redis & ClaimCommands;
    // One script call per batch, not a command per delivery: the client's per-command cost showed.
    this.#redis.defineCommand('deliveryClaim', { lua: claimScript });
    this.#redis.defineCommand('deliveryConfirm', { lua: confirmScript });
  }

  enqueue(delivery: WebhookDelivery): Promise<EnqueueOutcome> {
    return new Promise((resolve, reject) => {
      this.#batch.push({ delivery, resolve, reject });
      if (this.#batch.length === 1) setImmediate(() => void this.#flush());
      else if (this.#batch.length >= this.#o.maxBatch) void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#batch;
    this.#batch = [];
    if (batch.length === 0) return;
    const keys = batch.map((p) => this.#key(p.delivery));
    let claimed: boolean[];
    try {
      claimed = await this.#claim(keys);
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    const fresh = batch.filter((_, i) => claimed[i]);
    try {
      if (fresh.length > 0)
        await this.#o.queue.add('deliveries', { deliveries: fresh.map((p) => p.delivery) });
    } catch (err) {
      void this.#release(keys.filter((_, i) => claimed[i]));
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => {
      p.resolve(claimed[i] ? 'queued' : 'duplicate');
    });
    void this.#confirm(keys.filter((_, i) => claimed[i]));
  }

  async #claim(keys: readonly string[]): Promise<boolean[]> {
    const replies = await this.#redis.deliveryClaim(keys.length, ...keys, String(provisionalClaimMs));
    return keys.map((_, i) => replies[i] === 1);
  }

  /** Best effort: a claim left behind expires on its own within the provisional window. */
  async #release(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await this.#redis.del(...keys).catch(() => undefined);
  }

  /** Best effort: if this fails the events worker's own dedupe still catches late repeats. */
  async #confirm(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.#redis
      .deliveryConfirm(keys.length, ...keys, String(this.#o.dedupeTtlMs))
      .catch(() => undefined);
  }

  #key(delivery: WebhookDelivery): string {
    return `${this.#o.keyPrefix}:delivery:${deliveryKey(delivery)}`;
  }
}

/** The dedupe identity of a delivery: Jira's identifier is unique only within a tenant. */
export function deliveryKey(delivery: Pick<WebhookDelivery, 'siteHost' | 'deliveryId'>): string {
  return `${delivery.siteHost}:${delivery.deliveryId}`;
}

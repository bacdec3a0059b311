import type { Redis } from 'ioredis';
import type { RawJsonQueue } from './raw-json-queue.ts';
import type { WebhookDelivery } from './webhook-delivery.ts';

export type EnqueueOutcome = 'queued' | 'duplicate';

/**
 * Where verified deliveries go; `enqueue` resolves only once the delivery is stored in Redis.
 * `rawBody` is the request body the delivery's `body` was parsed from: given, it is stored as is.
 */
export interface DeliveryQueue {
  enqueue(delivery: WebhookDelivery, rawBody?: Buffer): Promise<EnqueueOutcome>;
}

/** The events job: deliveries accepted together, processed in order by the events worker. */
export interface DeliveryBatch {
  readonly deliveries: readonly WebhookDelivery[];
}

export interface BatchingDeliveryQueueOptions {
  readonly queue: RawJsonQueue<DeliveryBatch>;
  readonly redis: Redis;
  readonly keyPrefix: string;
  /** How long a delivery id is remembered (WEBHOOK_DEDUPE_TTL_SECONDS). */
  readonly dedupeTtlMs: number;
  /** Most deliveries in one job. */
  readonly maxBatch?: number;
}

interface Pending {
  readonly delivery: WebhookDelivery;
  readonly rawBody: Buffer | undefined;
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
 * script call (SET NX per delivery id) and stored as one BullMQ job, both sent at once, so a burst
 * costs one round trip and one job instead of a job each. Claims start short-lived and are extended to
 * the dedupe window only once the job is stored: a failed store never turns Jira's retry into a
 * "duplicate".
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

  enqueue(delivery: WebhookDelivery, rawBody?: Buffer): Promise<EnqueueOutcome> {
    return new Promise((resolve, reject) => {
      this.#batch.push({ delivery, rawBody, resolve, reject });
      if (this.#batch.length === 1) setImmediate(() => void this.#flush());
      else if (this.#batch.length >= this.#o.maxBatch) void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#batch;
    this.#batch = [];
    if (batch.length === 0) return;
    const keys = batch.map((p) => this.#key(p.delivery));
    // Claim and store go out together: one round trip of latency, not two. The job therefore holds
    // the batch's repeats too; the events worker's own dedupe drops them (a repeat is rare: Jira
    // resends only what it did not see acknowledged).
    const [claim, store] = await Promise.allSettled([
      this.#claim(keys),
      this.#o.queue.addJson('deliveries', batchJson(batch)),
    ]);
    if (claim.status === 'rejected' || store.status === 'rejected') {
      if (claim.status === 'fulfilled') void this.#release(keys.filter((_, i) => claim.value[i]));
      const err = store.status === 'rejected' ? store.reason : (claim as PromiseRejectedResult).reason;
      for (const p of batch) p.reject(err);
      return;
    }
    const claimed = claim.value;
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

const batchOpen = Buffer.from('{"deliveries":[');
const batchClose = Buffer.from(']}');
const comma = Buffer.from(',');
const objectClose = Buffer.from('}');

/**
 * The events job's data as JSON bytes. A delivery's body goes in as the bytes it came in: they
 * parsed as a JSON object at intake, so they are valid JSON here, and the webhook's payload is not
 * stringified again (that was the largest cost of intake after parsing).
 */
function batchJson(batch: readonly Pending[]): Buffer {
  const parts: Buffer[] = [batchOpen];
  batch.forEach(({ delivery, rawBody }, i) => {
    if (i > 0) parts.push(comma);
    if (rawBody === undefined) {
      parts.push(Buffer.from(JSON.stringify(delivery)));
      return;
    }
    const { body: _parsed, ...meta } = delivery;
    const head = JSON.stringify(meta);
    parts.push(Buffer.from(`${head.slice(0, -1)},"body":`), rawBody, objectClose);
  });
  parts.push(batchClose);
  return Buffer.concat(parts);
}

/** The dedupe identity of a delivery: Jira's identifier is unique only within a tenant. */
export function deliveryKey(delivery: Pick<WebhookDelivery, 'siteHost' | 'deliveryId'>): string {
  return `${delivery.siteHost}:${delivery.deliveryId}`;
}

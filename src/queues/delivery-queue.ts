import { randomUUID } from 'node:crypto';
import { deliveryBatchClaim, deliveryKey, seenKey } from '../state/delivery-claims.ts';
import type { ValueParts } from './bullmq-internals/corked-transaction.ts';
import type { RawJsonQueue } from './bullmq-internals/raw-json-queue.ts';
import type { WebhookDelivery } from './webhook-delivery.ts';

export type EnqueueOutcome = 'queued' | 'duplicate';

/**
 * Where verified deliveries go; `enqueue` resolves only once the delivery is stored in Redis.
 * `rawBody` is the request body the delivery's `body` was parsed from, as received (its bytes, or
 * the text decoded from them): given, it is stored as is.
 */
export interface DeliveryQueue {
  enqueue(delivery: WebhookDelivery, rawBody?: Buffer | string): Promise<EnqueueOutcome>;
}

/** The events job: deliveries accepted together, processed in order by the events worker. */
export interface DeliveryBatch {
  readonly deliveries: readonly WebhookDelivery[];
}

export interface BatchingDeliveryQueueOptions {
  readonly queue: RawJsonQueue<DeliveryBatch>;
  /** Prefix of the state keys, where the dedupe claims live (as the events worker's `seen` keys). */
  readonly keyPrefix: string;
  /** How long a delivery id is remembered (WEBHOOK_DEDUPE_TTL_SECONDS). */
  readonly dedupeTtlMs: number;
  /** Most deliveries in one job. */
  readonly maxBatch?: number;
  /** The id of a new events job; unique. */
  readonly newJobId?: () => string;
}

interface Pending {
  readonly delivery: WebhookDelivery;
  readonly rawBody: Buffer | string | undefined;
  readonly resolve: (outcome: EnqueueOutcome) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Micro-batches intake: deliveries that arrive in the same event-loop turn become one events job,
 * stored in one MULTI together with a dedupe claim per delivery, so a burst costs one round trip
 * and one job instead of a job each.
 *
 * A claim is the events worker's own `seen` key, set to the delivery's place in this job
 * (`<job id>/<index>`, the owner the worker checks), for the whole dedupe window. Claims and job
 * land together or not at all: a store that fails leaves no claim behind, so Jira's retry is
 * queued, not called a duplicate. A delivery whose claim already existed is answered as a
 * duplicate; it is still in the job (claims are decided inside the transaction), and the worker
 * drops it, because the claim names another owner.
 */
export class BatchingDeliveryQueue implements DeliveryQueue {
  readonly #o: Required<BatchingDeliveryQueueOptions>;
  #batch: Pending[] = [];

  constructor(opts: BatchingDeliveryQueueOptions) {
    this.#o = { maxBatch: 200, newJobId: () => `d-${randomUUID()}`, ...opts };
    opts.queue.defineWriterScript(deliveryBatchClaim.name, deliveryBatchClaim.lua);
  }

  enqueue(delivery: WebhookDelivery, rawBody?: Buffer | string): Promise<EnqueueOutcome> {
    return new Promise((resolve, reject) => {
      this.#batch.push({ delivery, rawBody, resolve, reject });
      if (this.#batch.length === 1) setImmediate(() => void this.#flush());
      else if (this.#batch.length >= this.#o.maxBatch) void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    const pending = this.#batch;
    this.#batch = [];
    if (pending.length === 0) return;
    // A delivery repeated within the batch goes in once; its copies are duplicates of it.
    const firstOf = new Map<string, number>();
    const batch = pending.filter((p) => {
      const key = deliveryKey(p.delivery);
      if (firstOf.has(key)) return false;
      firstOf.set(key, firstOf.size);
      return true;
    });
    const jobId = this.#o.newJobId();
    const claimKeys = batch.map((p) => seenKey(this.#o.keyPrefix, deliveryKey(p.delivery)));
    let claimed: boolean[];
    try {
      claimed = await this.#store(jobId, claimKeys, batchJson(batch));
    } catch (err) {
      for (const p of pending) p.reject(err);
      return;
    }
    pending.forEach((p) => {
      const first = firstOf.get(deliveryKey(p.delivery));
      p.resolve(first !== undefined && batch[first] === p && claimed[first] ? 'queued' : 'duplicate');
    });
  }

  /** The claims and the job in one MULTI; which claims this call made. Throws when the job is not stored. */
  async #store(jobId: string, claimKeys: readonly string[], json: ValueParts): Promise<boolean[]> {
    const tx = await this.#o.queue.transaction();
    const claims = tx.length;
    tx.runCommand(deliveryBatchClaim.name, [claimKeys.length, ...claimKeys, jobId, this.#o.dedupeTtlMs]);
    const queued = this.#o.queue.addJsonIn(tx, 'deliveries', json, jobId);
    const replies = await tx.exec(); // throws when EXEC is refused: then nothing ran
    const [claimError, made] = replies[claims] ?? [null, null];
    // Claims that failed inside EXEC leave the worker to claim each delivery of the stored job
    // itself (it does for any delivery without a claim): every delivery is then answered as queued.
    const claimed = claimKeys.map((_, i) => claimError !== null || (made as number[])[i] === 1);
    try {
      queued.outcome(replies);
    } catch (err) {
      // The claims ran but the job did not (refused inside EXEC): take them back, or Jira's
      // retry would be answered as a duplicate of a delivery that was never stored.
      const ours = claimError === null ? claimKeys.filter((_, i) => claimed[i]) : [];
      if (ours.length > 0) {
        const undo = await this.#o.queue.transaction();
        undo.command('del', ...ours);
        await undo.exec();
      }
      throw err;
    }
    return claimed;
  }
}

/**
 * The events job's data as JSON text, in pieces that go to Redis as they are. A delivery's body
 * goes in as it came in (bytes, or the text decoded from them): it parsed as a JSON object at
 * intake, so it is valid JSON here, and the webhook's payload is neither stringified again nor
 * copied (stringifying it was the largest cost of intake after parsing).
 */
function batchJson(batch: readonly Pending[]): (string | Buffer)[] {
  const parts: (string | Buffer)[] = [];
  // Text between two raw bodies is joined into one piece.
  let next = '{"deliveries":[';
  batch.forEach(({ delivery, rawBody }, i) => {
    if (i > 0) next += ',';
    if (rawBody === undefined) {
      next += JSON.stringify(delivery);
      return;
    }
    const { body: _parsed, ...meta } = delivery;
    parts.push(`${next}${JSON.stringify(meta).slice(0, -1)},"body":`, rawBody);
    next = '}';
  });
  parts.push(`${next}]}`);
  return parts;
}

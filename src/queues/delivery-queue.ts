import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { WebhookDelivery } from './webhook-delivery.ts';

export type EnqueueOutcome = 'queued' | 'duplicate';

/** Where verified deliveries go; `enqueue` resolves only once the delivery is stored in Redis. */
export interface DeliveryQueue {
  enqueue(delivery: WebhookDelivery): Promise<EnqueueOutcome>;
}

/**
 * One BullMQ add per delivery (a single Redis round trip): BullMQ's deduplication on
 * (site, delivery id) with a TTL tells a repeat from a new delivery in the same script. The key goes
 * away early if its job is trimmed from the completed set, so the events worker checks the delivery
 * id again (state/seen-deliveries) and drops what slipped through: dedupe never costs a delivery.
 */
export class BullDeliveryQueue implements DeliveryQueue {
  readonly #queue: Queue;
  readonly #ttlMs: number;

  constructor(queue: Queue, dedupeTtlMs: number) {
    this.#queue = queue;
    this.#ttlMs = dedupeTtlMs;
  }

  async enqueue(delivery: WebhookDelivery): Promise<EnqueueOutcome> {
    const jobId = randomUUID();
    const name = String(delivery.body.webhookEvent);
    const job = await this.#queue.add(name, delivery, {
      jobId,
      deduplication: { id: deliveryKey(delivery), ttl: this.#ttlMs },
    });
    return job.id === jobId ? 'queued' : 'duplicate';
  }
}

/** The dedupe identity of a delivery: Jira's identifier is unique only within a tenant. */
export function deliveryKey(delivery: Pick<WebhookDelivery, 'siteHost' | 'deliveryId'>): string {
  return `${delivery.siteHost}:${delivery.deliveryId}`;
}

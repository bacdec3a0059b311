import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Logger } from '../src/logger.ts';
import { changesFromWebhook } from '../src/normalize/webhook-changes.ts';
import type { ChangeQueue } from '../src/queues/change-queue.ts';
import { deliveryKey } from '../src/queues/delivery-queue.ts';
import { queueNames } from '../src/queues/queue-names.ts';
import { type WebhookDelivery, webhookDeliverySchema } from '../src/queues/webhook-delivery.ts';
import type { RedisSeenDeliveries } from '../src/state/seen-deliveries.ts';
import type { WorkerConnection } from './worker-options.ts';

export interface EventsWorkerDeps {
  readonly seen: RedisSeenDeliveries;
  readonly changes: ChangeQueue;
  readonly markdown: boolean;
  readonly log: Logger;
}

export type DeliveryOutcome =
  | { readonly outcome: 'queued'; readonly changes: number }
  | { readonly outcome: 'duplicate' }
  | { readonly outcome: 'skipped'; readonly reason: string };

/**
 * A webhook delivery becomes JiraChange records, mapped from its payload alone (no Jira call), and
 * goes on to the change queue. A malformed job fails at once: retrying cannot fix it.
 */
export async function processDelivery(job: Job, deps: EventsWorkerDeps): Promise<DeliveryOutcome> {
  const parsed = webhookDeliverySchema.safeParse(job.data);
  if (!parsed.success)
    throw new UnrecoverableError(`invalid delivery job: ${parsed.error.issues[0]?.message}`);
  const delivery: WebhookDelivery = parsed.data;
  const log = deps.log.child({ queue: queueNames.events, jobId: job.id, site: delivery.siteHost });

  if (!(await deps.seen.claim(deliveryKey(delivery), String(job.id)))) {
    log.debug({ deliveryId: delivery.deliveryId }, 'duplicate delivery dropped');
    return { outcome: 'duplicate' };
  }
  const normalized = changesFromWebhook(delivery.body, {
    site: { host: delivery.siteHost },
    receivedAt: delivery.receivedAt,
    markdown: deps.markdown,
  });
  if (normalized.kind === 'skip') {
    log.info({ reason: normalized.reason, event: delivery.body.webhookEvent }, 'delivery skipped');
    return { outcome: 'skipped', reason: normalized.reason };
  }
  await deps.changes.enqueue(normalized.changes);
  return { outcome: 'queued', changes: normalized.changes.length };
}

export function startEventsWorker(connection: WorkerConnection, deps: EventsWorkerDeps): Worker {
  return new Worker(queueNames.events, (job) => processDelivery(job, deps), connection);
}

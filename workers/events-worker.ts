import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { JiraChange } from '../connectors/jira-change.ts';
import type { Logger } from '../src/logger.ts';
import type { Metrics } from '../src/metrics/registry.ts';
import { changesFromWebhook } from '../src/normalize/webhook-changes.ts';
import type { HandledChange } from '../src/pipeline/change-handler.ts';
import { queueNames } from '../src/queues/queue-names.ts';
import { deliveryBatchSchema, type WebhookDelivery } from '../src/queues/webhook-delivery.ts';
import type { RedisDeliveryClaims } from '../src/state/delivery-claims.ts';
import type { WorkerConnection } from './worker-options.ts';

export interface EventsWorkerDeps {
  readonly claims: RedisDeliveryClaims;
  /** Takes each normalized change through the connectors (or durably defers it). */
  readonly handle: (change: JiraChange) => Promise<HandledChange>;
  readonly markdown: boolean;
  readonly log: Logger;
  readonly metrics: Metrics;
}

export type DeliveryOutcome =
  | { readonly outcome: 'handled'; readonly changes: readonly HandledChange['outcome'][] }
  | { readonly outcome: 'duplicate' }
  | { readonly outcome: 'skipped'; readonly reason: string };

/**
 * Each webhook delivery of a batch becomes JiraChange records, mapped from its payload alone (no
 * Jira call), and goes through the connectors right here (see change-handler.ts). A malformed job
 * fails at once: retrying cannot fix it. A retried batch redoes every delivery; the seen claim,
 * the change queue's deduplication and the published markers make that harmless.
 */
export async function processDeliveries(job: Job, deps: EventsWorkerDeps): Promise<DeliveryOutcome[]> {
  const parsed = deliveryBatchSchema.safeParse(job.data);
  if (!parsed.success)
    throw new UnrecoverableError(`invalid delivery job: ${parsed.error.issues[0]?.message}`);
  // Deliveries of a batch go in parallel: per-entity order is kept by version state and claims.
  return Promise.all(
    parsed.data.deliveries.map((delivery, index) => processDelivery(delivery, `${job.id}/${index}`, deps)),
  );
}

async function processDelivery(
  delivery: WebhookDelivery,
  owner: string,
  deps: EventsWorkerDeps,
): Promise<DeliveryOutcome> {
  // A child logger only where a line is written: building one per delivery shows in profiles.
  const log = () => deps.log.child({ queue: queueNames.events, owner, site: delivery.siteHost });
  const claim = await deps.claims.claim(delivery, owner);
  if (claim !== 'claimed') {
    log().debug({ deliveryId: delivery.deliveryId, claim }, 'duplicate delivery dropped');
    // A repeat intake answered as one was counted there; it rides in the job all the same.
    if (claim === 'repeat') deps.metrics.webhooksDeduplicated.inc({ stage: 'worker' });
    return { outcome: 'duplicate' };
  }
  const normalized = changesFromWebhook(delivery.body, {
    site: { host: delivery.siteHost },
    receivedAt: delivery.receivedAt,
    markdown: deps.markdown,
  });
  if (normalized.kind === 'skip') {
    log().info({ reason: normalized.reason, event: delivery.body.webhookEvent }, 'delivery skipped');
    return { outcome: 'skipped', reason: normalized.reason };
  }
  const handled = await Promise.all(normalized.changes.map((change) => deps.handle(change)));
  return { outcome: 'handled', changes: handled.map((h) => h.outcome) };
}

export function startEventsWorker(connection: WorkerConnection, deps: EventsWorkerDeps): Worker {
  return new Worker(queueNames.events, (job) => processDeliveries(job, deps), connection);
}

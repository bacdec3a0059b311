import { createHash } from 'node:crypto';
import type { Metrics } from '../metrics/registry.ts';
import type { DeliveryQueue } from '../queues/delivery-queue.ts';
import type { WebhookDelivery } from '../queues/webhook-delivery.ts';
import type { WebhookAuthenticator } from './webhook-auth.ts';
import type { WebhookRouter } from './webhook-router.ts';
import { handledWebhookEvents, matchedWebhookIdsOf, siteHostOf } from './webhook-site.ts';

export interface WebhookIntakeDeps {
  readonly authenticate: WebhookAuthenticator;
  readonly router: WebhookRouter;
  readonly deliveries: DeliveryQueue;
  readonly metrics: Metrics;
  readonly now?: () => number;
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;
type AcceptOutcome = 'queued' | 'duplicate' | 'ignored' | 'unroutable' | 'paused';

/** The answer to a delivery: an HTTP status and its JSON body, serialized. */
export interface IntakeAnswer {
  readonly status: number;
  readonly body: string;
  /** Why Redis did not take the delivery (503), for the caller's log. */
  readonly err?: unknown;
}

type Parsed = { ok: true; body: Record<string, unknown>; event: string } | { ok: false; reason: string };

/**
 * A delivery's way in: authenticate the raw bytes, parse, route to a connection, dedupe and queue.
 * 202 only once the delivery is in Redis; 200 for a repeat; 503 when Redis cannot take it, so that
 * Jira retries. Every client mistake gets a 4xx with a code, never a 5xx.
 */
export function createWebhookIntake(deps: WebhookIntakeDeps) {
  const now = deps.now ?? Date.now;
  return async function intake(headers: Headers, raw: Buffer | string): Promise<IntakeAnswer> {
    const auth = await deps.authenticate(headers, raw);
    if (!auth.ok) return reject(401, auth.reason);

    const parsed = parse(raw);
    if (!parsed.ok) return reject(400, parsed.reason);
    const { body, event } = parsed;
    if (!handledWebhookEvents.has(event)) return accept(event, 'ignored');

    const siteHost = siteHostOf(body);
    if (!siteHost) return reject(400, 'missing_site');
    const route = await deps.router.route(siteHost, matchedWebhookIdsOf(body));
    // However it was signed: resuming polls from the cursor, which reads what changed meanwhile.
    if (route?.paused) return accept(event, 'paused');
    // A JWT proves the delivery is for our app, not that we still hold the site: drop and count.
    if (auth.method === 'jwt' && route === undefined) return accept(event, 'unroutable');
    const connectionId = route?.connectionId;

    const delivery: WebhookDelivery = {
      siteHost,
      ...(connectionId === undefined ? {} : { connectionId }),
      auth: auth.method,
      deliveryId: header(headers, 'x-atlassian-webhook-identifier') ?? `sha256:${sha256(raw)}`,
      receivedAt: now(),
      retry: Number.parseInt(header(headers, 'x-atlassian-webhook-retry') ?? '0', 10) || 0,
      body,
    };
    try {
      return accept(event, await deps.deliveries.enqueue(delivery, raw));
    } catch (err) {
      return { ...reject(503, 'queue_unavailable'), err };
    }
  };

  function reject(status: number, reason: string): IntakeAnswer {
    deps.metrics.webhooksRejected.inc({ reason });
    return { status, body: JSON.stringify({ error: reason }) };
  }

  function accept(event: string, outcome: AcceptOutcome): IntakeAnswer {
    deps.metrics.webhooksReceived.inc({ event: handledWebhookEvents.has(event) ? event : 'other', outcome });
    if (outcome === 'duplicate') deps.metrics.webhooksDeduplicated.inc({ stage: 'intake' });
    if (outcome === 'unroutable') deps.metrics.webhooksUnroutable.inc();
    return acceptAnswers[outcome];
  }
}

/** The answers to accepted deliveries, built once: they are sent thousands of times a second. */
const acceptAnswers: Readonly<Record<AcceptOutcome, IntakeAnswer>> = {
  queued: { status: 202, body: JSON.stringify({ status: 'queued' }) },
  duplicate: { status: 200, body: JSON.stringify({ status: 'duplicate' }) },
  ignored: { status: 202, body: JSON.stringify({ status: 'ignored' }) },
  unroutable: { status: 202, body: JSON.stringify({ status: 'unroutable' }) },
  paused: { status: 202, body: JSON.stringify({ status: 'paused' }) },
};

function parse(raw: Buffer | string): Parsed {
  let body: unknown;
  try {
    body = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed_json' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { ok: false, reason: 'not_an_object' };
  const event = (body as { webhookEvent?: unknown }).webhookEvent;
  if (typeof event !== 'string' || event === '') return { ok: false, reason: 'missing_webhook_event' };
  return { ok: true, body: body as Record<string, unknown>, event };
}

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

function sha256(raw: Buffer | string): string {
  return createHash('sha256').update(raw).digest('hex');
}

import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebhookAuthenticator } from '../atlassian/webhook-auth.ts';
import { handledWebhookEvents, matchedWebhookIdsOf, siteHostOf } from '../atlassian/webhook-site.ts';
import { readWebhookBody, type WebhookBody } from '../http/webhook-body.ts';
import type { Metrics } from '../metrics/registry.ts';
import type { DeliveryQueue } from '../queues/delivery-queue.ts';
import type { WebhookDelivery } from '../queues/webhook-delivery.ts';

/** The connection a delivery belongs to; a paused one acknowledges and drops its deliveries. */
export interface SiteRoute {
  readonly connectionId: string;
  readonly paused: boolean;
}

/** Finds the connection a delivery belongs to. */
export interface WebhookRouter {
  /** By the site host of the body's links, else by the webhook ids it matched; none when we hold neither. */
  route(siteHost: string, matchedWebhookIds: readonly number[]): Promise<SiteRoute | undefined>;
}

export interface WebhookRouteDeps {
  readonly authenticate: WebhookAuthenticator;
  readonly router: WebhookRouter;
  readonly deliveries: DeliveryQueue;
  readonly metrics: Metrics;
  readonly maxBodyBytes: number;
  readonly now?: () => number;
}

type Parsed = { ok: true; body: Record<string, unknown>; event: string } | { ok: false; reason: string };

/**
 * POST /webhooks/jira: authenticate the raw bytes, parse, route to a connection, dedupe and queue.
 * 202 only once the delivery is in Redis; 200 for a repeat; 503 when Redis cannot take it, so that
 * Jira retries. Every client mistake gets a 4xx with a code, never a 5xx.
 */
export function registerWebhookRoutes(app: FastifyInstance, deps: WebhookRouteDeps): void {
  const now = deps.now ?? Date.now;
  void app.register(async (scope) => {
    // Nothing is parsed before authentication: the reader keeps the body as received (the bytes
    // for an HMAC, which covers them; the text otherwise). Named as well as caught-all: Fastify
    // remembers the parser of a named type, but reads the Content-Type anew on every request that
    // only the catch-all takes.
    scope.removeAllContentTypeParsers();
    const readBody = readWebhookBody(deps.maxBodyBytes);
    scope.addContentTypeParser('application/json', readBody);
    scope.addContentTypeParser('*', readBody);
    // Refused by Fastify before the handler ran (body over the limit). An onError hook, unlike
    // onResponse, costs nothing on the requests that succeed.
    scope.addHook('onError', async (_request, _reply, error) => {
      if ((error as { statusCode?: number }).statusCode === 413) {
        deps.metrics.webhooksRejected.inc({ reason: 'too_large' });
      }
    });
    scope.post('/webhooks/jira', async (request, reply) => {
      const end = deps.metrics.webhookIntakeSeconds.startTimer();
      try {
        return await intake(request, reply);
      } finally {
        end();
      }
    });
  });

  async function intake(request: FastifyRequest, reply: FastifyReply) {
    const raw: WebhookBody =
      typeof request.body === 'string' || Buffer.isBuffer(request.body) ? request.body : '';
    const auth = await deps.authenticate(request.headers, raw);
    if (!auth.ok) return reject(reply, 401, auth.reason);

    const parsed = parse(raw);
    if (!parsed.ok) return reject(reply, 400, parsed.reason);
    const { body, event } = parsed;
    if (!handledWebhookEvents.has(event)) return accept(reply, 202, event, 'ignored');

    const siteHost = siteHostOf(body);
    if (!siteHost) return reject(reply, 400, 'missing_site');
    const route = await deps.router.route(siteHost, matchedWebhookIdsOf(body));
    // However it was signed: resuming polls from the cursor, which reads what changed meanwhile.
    if (route?.paused) return accept(reply, 202, event, 'paused');
    // A JWT proves the delivery is for our app, not that we still hold the site: drop and count.
    if (auth.method === 'jwt' && route === undefined) return accept(reply, 202, event, 'unroutable');
    const connectionId = route?.connectionId;

    const delivery: WebhookDelivery = {
      siteHost,
      ...(connectionId === undefined ? {} : { connectionId }),
      auth: auth.method,
      deliveryId: header(request, 'x-atlassian-webhook-identifier') ?? `sha256:${sha256(raw)}`,
      receivedAt: now(),
      retry: Number.parseInt(header(request, 'x-atlassian-webhook-retry') ?? '0', 10) || 0,
      body,
    };
    let outcome: 'queued' | 'duplicate';
    try {
      outcome = await deps.deliveries.enqueue(delivery, raw);
    } catch (err) {
      request.log.warn({ err, site: siteHost }, 'webhook not queued: Redis unavailable');
      return reject(reply, 503, 'queue_unavailable');
    }
    return accept(reply, outcome === 'queued' ? 202 : 200, event, outcome);
  }

  function reject(reply: FastifyReply, status: number, reason: string) {
    deps.metrics.webhooksRejected.inc({ reason });
    if (status === 503) void reply.header('retry-after', '5');
    return reply.status(status).send({ error: reason });
  }

  function accept(reply: FastifyReply, status: number, event: string, outcome: AcceptOutcome) {
    deps.metrics.webhooksReceived.inc({ event: handledWebhookEvents.has(event) ? event : 'other', outcome });
    if (outcome === 'duplicate') deps.metrics.webhooksDeduplicated.inc({ stage: 'intake' });
    if (outcome === 'unroutable') deps.metrics.webhooksUnroutable.inc();
    return reply.status(status).header('content-type', jsonContentType).send(acceptBodies[outcome]);
  }
}

type AcceptOutcome = 'queued' | 'duplicate' | 'ignored' | 'unroutable' | 'paused';

/** The answers to accepted deliveries, serialized once: they are sent thousands of times a second. */
const acceptBodies: Readonly<Record<AcceptOutcome, string>> = {
  queued: JSON.stringify({ status: 'queued' }),
  duplicate: JSON.stringify({ status: 'duplicate' }),
  ignored: JSON.stringify({ status: 'ignored' }),
  unroutable: JSON.stringify({ status: 'unroutable' }),
  paused: JSON.stringify({ status: 'paused' }),
};
const jsonContentType = 'application/json; charset=utf-8';

function parse(raw: WebhookBody): Parsed {
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

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

function sha256(raw: WebhookBody): string {
  return createHash('sha256').update(raw).digest('hex');
}

import { createHash } from 'node:crypto';
import type { Metrics } from '../metrics/registry.ts';
import type { DeliveryQueue } from '../queues/delivery-queue.ts';
import type { WebhookDelivery } from '../queues/webhook-delivery.ts';
import { verifyHubSignature } from './hub-signature.ts';
import { type IntakeAnswer, type IntakeHeaders, parseDelivery, rejectAnswer } from './intake-answers.ts';
import type { WebhookAuthenticator } from './webhook-auth.ts';
import type { ConnectionRoute, WebhookRouter } from './webhook-router.ts';
import { handledWebhookEvents, matchedWebhookIdsOf, siteHostOf } from './webhook-site.ts';

export interface WebhookIntakeDeps {
  /** Dynamic webhooks' JWT, and admin webhooks signed with the shared JIRA_WEBHOOK_SECRET. */
  readonly authenticate: WebhookAuthenticator;
  readonly router: WebhookRouter;
  readonly deliveries: DeliveryQueue;
  readonly metrics: Metrics;
  /** JIRA_WEBHOOK_SECRET_SITES: the sites the shared secret speaks for; `*` for every site. */
  readonly sharedSecretSites: readonly string[];
  /** A connection's own admin-webhook secrets (current, and previous during a rotation). */
  readonly connectionSecrets: { secretsFor(connectionId: string): Promise<readonly string[]> };
  /** WEBHOOK_MAX_JSON_DEPTH: deeper bodies get 400 `too_deep`. */
  readonly maxJsonDepth: number;
  readonly now?: () => number;
}

type AcceptOutcome = 'queued' | 'duplicate' | 'ignored' | 'unroutable' | 'paused';
type Authenticated = {
  readonly method: 'jwt' | 'hmac';
  /** The site a JWT's issuer names: the body must be that site's. */
  readonly cloudId?: string;
  readonly connection?: ConnectionRoute;
};

/** Connection ids are Atlassian cloud ids: anything else cannot name one, and never reaches Redis. */
const connectionIdShape = /^[A-Za-z0-9-]{1,64}$/;

/**
 * A delivery's way in: authenticate the raw bytes, parse, route to a connection, dedupe and queue.
 * 202 only once the delivery is in Redis; 200 for a repeat; 503 (with Retry-After) whenever Redis
 * cannot answer, so that Jira retries. A delivery speaks only for its own site: a dynamic webhook's
 * JWT for a site we hold, a connection's own secret for that connection's site, the shared secret
 * for the sites listed for it. Every client mistake gets a 4xx with a code, never a 5xx.
 */
export function createWebhookIntake(deps: WebhookIntakeDeps) {
  const now = deps.now ?? Date.now;
  const sharedForAll = deps.sharedSecretSites.includes('*');
  const sharedSites = new Set(deps.sharedSecretSites);

  /** `POST /webhooks/jira`: dynamic webhooks (JWT) and admin webhooks with the shared secret. */
  async function intake(headers: IntakeHeaders, raw: Buffer | string): Promise<IntakeAnswer> {
    const auth = await deps.authenticate(headers, raw);
    if (!auth.ok) return reject(401, auth.reason);
    return accepted(
      headers,
      raw,
      auth.method === 'jwt' && auth.cloudId
        ? { method: 'jwt', cloudId: auth.cloudId }
        : { method: auth.method },
    );
  }

  /** `POST /webhooks/jira/{connectionId}`: an admin webhook signed with that connection's own secret. */
  async function intakeFor(
    connectionId: string,
    headers: IntakeHeaders,
    raw: Buffer | string,
  ): Promise<IntakeAnswer> {
    const signature = single(headers['x-hub-signature']);
    if (signature === undefined) return reject(401, 'missing_credentials');
    if (!connectionIdShape.test(connectionId)) return reject(401, 'unknown_connection');
    let connection: ConnectionRoute | undefined;
    let secrets: readonly string[];
    try {
      [connection, secrets] = await Promise.all([
        deps.router.connection(connectionId),
        deps.connectionSecrets.secretsFor(connectionId),
      ]);
    } catch (err) {
      return { ...reject(503, 'queue_unavailable'), err };
    }
    if (!connection) return reject(401, 'unknown_connection');
    if (secrets.length === 0) return reject(401, 'no_webhook_secret');
    const check = verifyHubSignature(signature, raw, secrets);
    if (!check.ok) return reject(401, check.reason);
    return accepted(headers, raw, { method: 'hmac', connection });
  }

  async function accepted(headers: IntakeHeaders, raw: Buffer | string, auth: Authenticated) {
    const parsed = parseDelivery(raw, deps.maxJsonDepth);
    if (!parsed.ok) return reject(400, parsed.reason);
    const { body, event } = parsed;
    if (!handledWebhookEvents.has(event)) return accept(event, 'ignored');
    const siteHost = siteHostOf(body);
    if (!siteHost) return reject(400, 'missing_site');
    if (auth.connection && auth.connection.siteHost !== siteHost) return reject(401, 'site_mismatch');
    if (auth.method === 'hmac' && !auth.connection && !sharedForAll && !sharedSites.has(siteHost))
      return reject(401, 'site_not_allowed');
    let connectionId: string | undefined;
    try {
      const route = auth.connection ?? (await deps.router.route(siteHost, matchedWebhookIdsOf(body)));
      // Paused: resuming polls from the cursor, which reads what changed meanwhile.
      if (route?.paused) return accept(event, 'paused');
      if (route && 'disconnected' in route && route.disconnected) return accept(event, 'unroutable');
      // Only the shared secret's listed sites may go without a connection (webhook-only).
      if (route === undefined && auth.method === 'jwt') return accept(event, 'unroutable');
      // A captured token must not carry another site's body: its issuer names the site it is for.
      if (auth.cloudId && route && route.cloudId !== auth.cloudId) return reject(401, 'site_mismatch');
      connectionId = route?.connectionId;
      const delivery: WebhookDelivery = {
        siteHost,
        ...(connectionId === undefined ? {} : { connectionId }),
        auth: auth.method,
        deliveryId: single(headers['x-atlassian-webhook-identifier']) || `sha256:${sha256(raw)}`,
        receivedAt: now(),
        retry: Number.parseInt(single(headers['x-atlassian-webhook-retry']) ?? '0', 10) || 0,
        body,
      };
      return accept(event, await deps.deliveries.enqueue(delivery, raw));
    } catch (err) {
      return { ...reject(503, 'queue_unavailable'), err };
    }
  }

  function reject(status: number, reason: string): IntakeAnswer {
    deps.metrics.webhooksRejected.inc({ reason });
    return rejectAnswer(status, reason);
  }

  function accept(event: string, outcome: AcceptOutcome): IntakeAnswer {
    deps.metrics.webhooksReceived.inc({ event: handledWebhookEvents.has(event) ? event : 'other', outcome });
    if (outcome === 'duplicate') deps.metrics.webhooksDeduplicated.inc({ stage: 'intake' });
    if (outcome === 'unroutable') deps.metrics.webhooksUnroutable.inc();
    return acceptAnswers[outcome];
  }

  return { intake, intakeFor };
}

/** The answers to accepted deliveries, built once: they are sent thousands of times a second. */
const acceptAnswers: Readonly<Record<AcceptOutcome, IntakeAnswer>> = {
  queued: { status: 202, body: JSON.stringify({ status: 'queued' }) },
  duplicate: { status: 200, body: JSON.stringify({ status: 'duplicate' }) },
  ignored: { status: 202, body: JSON.stringify({ status: 'ignored' }) },
  unroutable: { status: 202, body: JSON.stringify({ status: 'unroutable' }) },
  paused: { status: 202, body: JSON.stringify({ status: 'paused' }) },
};

function single(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first === '' ? undefined : first;
}

function sha256(raw: Buffer | string): string {
  return createHash('sha256').update(raw).digest('hex');
}

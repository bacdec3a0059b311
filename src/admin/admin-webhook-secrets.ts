import { z } from 'zod';
import type { ConnectionStore } from '../connections/connection-store.ts';
import type { WebhookSecretInfo } from '../webhooks/webhook-secret-store.ts';
import { type AdminRoute, defineRoute, notFound } from './admin-route.ts';
import { connectionParams, errorResponses } from './admin-schemas.ts';

/** The secret store as the admin API uses it (RedisWebhookSecretStore). */
interface WebhookSecrets {
  rotate(connectionId: string, graceMs: number): Promise<{ secret: string; info: WebhookSecretInfo }>;
  revoke(connectionId: string): Promise<void>;
  info(connectionId: string): Promise<WebhookSecretInfo>;
}

export interface WebhookSecretRouteDeps {
  readonly connections: ConnectionStore;
  readonly webhookSecrets: WebhookSecrets;
  /** PUBLIC_URL: the admin webhook's URL is `${PUBLIC_URL}/webhooks/jira/{connection id}`. */
  readonly publicUrl: string;
  /** WEBHOOK_SECRET_ROTATION_GRACE_SECONDS, unless the request sets its own. */
  readonly rotationGraceSeconds: number;
}

const instant = z.number().int().nullable().describe('Epoch ms, or null.');
const infoSchema = z.object({
  configured: z.boolean(),
  rotatedAt: instant,
  previousValidUntil: instant.describe(
    'Until when the previous secret is still accepted (epoch ms), or null.',
  ),
});
const createdSchema = infoSchema.extend({
  secret: z.string().describe('The new secret. Shown once: store it in the Jira admin webhook now.'),
  url: z.string().describe("The admin webhook's URL for this connection."),
});
const rotateBody = z.strictObject({
  graceSeconds: z
    .number()
    .int()
    .min(0)
    .max(30 * 86_400)
    .optional()
    .describe('How long the previous secret stays valid; default WEBHOOK_SECRET_ROTATION_GRACE_SECONDS.'),
});

/**
 * A connection's own admin-webhook secret: create or rotate it (the new secret is in the answer,
 * once, and never again), see whether one is set, or revoke it. A delivery signed with it speaks
 * only for this connection's site (`POST /webhooks/jira/{connection id}`).
 */
export function webhookSecretRoutes(deps: WebhookSecretRouteDeps): AdminRoute[] {
  const { invalid, noConnection } = errorResponses;
  const exists = async (id: string) => (await deps.connections.get(id)) !== null;
  return [
    defineRoute({
      method: 'POST',
      path: '/connections/:id/webhook-secret',
      summary: "Create or rotate the connection's admin-webhook secret; the answer shows it once.",
      params: connectionParams,
      body: rotateBody,
      responses: {
        201: { description: 'The new secret and its URL.', schema: createdSchema },
        400: invalid,
        404: noConnection,
      },
      async handle({ params, body, log }) {
        if (!(await exists(params.id))) return notFound('connection');
        const graceMs = (body.graceSeconds ?? deps.rotationGraceSeconds) * 1000;
        const { secret, info } = await deps.webhookSecrets.rotate(params.id, graceMs);
        log.info(
          { connection: params.id, previousValidUntil: info.previousValidUntil },
          'webhook secret rotated',
        );
        const url = `${deps.publicUrl}/webhooks/jira/${params.id}`;
        return { status: 201, body: { ...info, secret, url } };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/connections/:id/webhook-secret',
      summary: 'Whether the connection has an admin-webhook secret, and since when (never the secret).',
      params: connectionParams,
      responses: {
        200: { description: 'The secret, described.', schema: infoSchema },
        400: invalid,
        404: noConnection,
      },
      async handle({ params }) {
        if (!(await exists(params.id))) return notFound('connection');
        return { status: 200, body: await deps.webhookSecrets.info(params.id) };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/connections/:id/webhook-secret/revoke',
      summary: "Revoke the connection's admin-webhook secrets, current and previous.",
      params: connectionParams,
      responses: { 200: { description: 'Revoked.', schema: infoSchema }, 400: invalid, 404: noConnection },
      async handle({ params, log }) {
        if (!(await exists(params.id))) return notFound('connection');
        await deps.webhookSecrets.revoke(params.id);
        log.info({ connection: params.id }, 'webhook secret revoked');
        return { status: 200, body: await deps.webhookSecrets.info(params.id) };
      },
    }),
  ];
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Metrics } from '../metrics/registry.ts';
import { createWebhookIntake, type WebhookIntakeDeps } from '../webhooks/intake.ts';
import type { IntakeAnswer } from '../webhooks/intake-answers.ts';
import { readWebhookBody, type WebhookBody } from './webhook-body.ts';

export interface WebhookRouteDeps extends WebhookIntakeDeps {
  readonly maxBodyBytes: number;
}

const jsonContentType = 'application/json; charset=utf-8';

/** Hands the body as received to the intake and sends its answer; 503s say when to retry. */
async function answer(
  request: FastifyRequest,
  reply: FastifyReply,
  metrics: Metrics,
  take: (raw: WebhookBody) => Promise<IntakeAnswer>,
) {
  const end = metrics.webhookIntakeSeconds.startTimer();
  try {
    const raw: WebhookBody =
      typeof request.body === 'string' || Buffer.isBuffer(request.body) ? request.body : '';
    const result = await take(raw);
    if (result.err !== undefined)
      request.log.warn({ err: result.err }, 'webhook not queued: Redis unavailable');
    if (result.status === 503) void reply.header('retry-after', '5');
    return reply.status(result.status).header('content-type', jsonContentType).send(result.body);
  } finally {
    end();
  }
}

/** POST /webhooks/jira: the body as received goes to the intake (webhooks/intake.ts), its answer back. */
export function registerWebhookRoutes(app: FastifyInstance, deps: WebhookRouteDeps): void {
  const intake = createWebhookIntake(deps);
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
    scope.post('/webhooks/jira', (request, reply) =>
      answer(request, reply, deps.metrics, (raw) => intake.intake(request.headers, raw)),
    );
    // Admin webhooks of one site, signed with that connection's own secret.
    scope.post<{ Params: { connectionId: string } }>('/webhooks/jira/:connectionId', (request, reply) =>
      answer(request, reply, deps.metrics, (raw) =>
        intake.intakeFor(request.params.connectionId, request.headers, raw),
      ),
    );
  });
}

import type { FastifyInstance } from 'fastify';
import { createWebhookIntake, type WebhookIntakeDeps } from '../webhooks/intake.ts';
import { readWebhookBody, type WebhookBody } from './webhook-body.ts';

export interface WebhookRouteDeps extends WebhookIntakeDeps {
  readonly maxBodyBytes: number;
}

const jsonContentType = 'application/json; charset=utf-8';

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
    scope.post('/webhooks/jira', async (request, reply) => {
      const end = deps.metrics.webhookIntakeSeconds.startTimer();
      try {
        const raw: WebhookBody =
          typeof request.body === 'string' || Buffer.isBuffer(request.body) ? request.body : '';
        const answer = await intake(request.headers, raw);
        if (answer.err !== undefined)
          request.log.warn({ err: answer.err }, 'webhook not queued: Redis unavailable');
        if (answer.status === 503) void reply.header('retry-after', '5');
        return reply.status(answer.status).header('content-type', jsonContentType).send(answer.body);
      } finally {
        end();
      }
    });
  });
}

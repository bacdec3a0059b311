import type { Queue } from 'bullmq';
import Fastify, { type FastifyInstance } from 'fastify';
import { verifyHubSignature } from '../../src/webhooks/hub-signature.ts';

/** What the bare route puts in its job: the delivery as the relay's intake keeps it, parsed. */
export interface BareJob {
  readonly deliveryId: string;
  readonly receivedAt: number;
  readonly body: Record<string, unknown>;
}

/**
 * The floor's intake: what any relay must do with a signed delivery, and nothing more. Same body
 * limit as the relay (WEBHOOK_MAX_BODY_BYTES' default), the body kept as bytes for the HMAC of
 * X-Hub-Signature (the relay's own check, `verifyHubSignature`), then one JSON.parse and one
 * `queue.add` per delivery; 202 once the job is in Redis. Left out, and so part of the relay's
 * extra: routing to a connection, dedupe claims, depth check, batching, metrics.
 */
export function bareIntakeApp(opts: {
  readonly queue: Queue<BareJob>;
  readonly secret: string;
  readonly bodyLimit: number;
}): FastifyInstance {
  const app = Fastify({ bodyLimit: opts.bodyLimit });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.get('/readyz', async () => ({ status: 'ready' }));
  app.post('/webhooks/jira', async (request, reply) => {
    const raw = request.body;
    const signature = request.headers['x-hub-signature'];
    if (!Buffer.isBuffer(raw) || typeof signature !== 'string')
      return reply.status(401).send({ error: 'missing_credentials' });
    if (!verifyHubSignature(signature, raw, [opts.secret]).ok)
      return reply.status(401).send({ error: 'signature_invalid' });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    } catch {
      return reply.status(400).send({ error: 'malformed_json' });
    }
    const id = request.headers['x-atlassian-webhook-identifier'];
    await opts.queue.add('delivery', {
      deliveryId: typeof id === 'string' ? id : '',
      receivedAt: Date.now(),
      body,
    });
    return reply.status(202).send({ status: 'queued' });
  });
  return app;
}

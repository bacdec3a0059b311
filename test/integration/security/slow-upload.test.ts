import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '../../../config/index.ts';
import { buildApp } from '../../../src/app.ts';
import { createLogger } from '../../../src/logger.ts';
import { createMetrics } from '../../../src/metrics/registry.ts';
import { BatchingDeliveryQueue } from '../../../src/queues/delivery-queue.ts';
import { createWebhookAuthenticator } from '../../../src/webhooks/webhook-auth.ts';
import { intakeQueue } from '../../helpers/intake-app.ts';
import { validEnv } from '../../helpers/valid-env.ts';
import { waitUntil } from '../../helpers/wait-until.ts';

/** The relay's HTTP app with the webhook intake on real Redis, listening on a free port. */
async function intakeOnPort(env: Record<string, string>): Promise<number> {
  const { queue, statePrefix, close } = intakeQueue();
  const config = loadConfig(validEnv(env));
  const app: FastifyInstance = await buildApp({
    config,
    log: createLogger({ level: 'silent' }),
    readiness: [],
    webhooks: {
      authenticate: createWebhookAuthenticator({
        clientSecret: config.ATLASSIAN_CLIENT_SECRET,
        webhookSecret: 'admin-webhook-secret-123',
        clockSkewSeconds: 60,
      }),
      router: { route: async () => undefined, connection: async () => undefined },
      deliveries: new BatchingDeliveryQueue({ queue, keyPrefix: statePrefix, dedupeTtlMs: 60_000 }),
      metrics: createMetrics(),
      sharedSecretSites: ['*'],
      connectionSecrets: { secretsFor: async () => [] },
      maxJsonDepth: config.WEBHOOK_MAX_JSON_DEPTH,
      maxBodyBytes: config.WEBHOOK_MAX_BODY_BYTES,
    },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  onTestFinished(async () => {
    await app.close();
    await close();
  });
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

interface Ended {
  readonly afterMs: number | null;
  readonly received: string;
}

/** Connects, runs `talk`, and reports when the server ended the connection (null: not within `waitMs`). */
function watch(port: number, talk: (socket: net.Socket) => void, waitMs: number): Promise<Ended> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1', () => talk(socket));
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
    });
    socket.on('error', () => undefined);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ afterMs: null, received });
    }, waitMs);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ afterMs: Date.now() - started, received });
    });
  });
}

/**
 * Issue 17, "Slow uploads hold memory": bodies are read before they are authenticated, and no
 * request or connection timeout was set, so a client trickling a body in held its socket and its
 * buffer for as long as it liked, as many times over as it opened connections.
 */
describe('slow and surplus connections', () => {
  it('cuts off an upload trickled in slower than HTTP_REQUEST_TIMEOUT_MS, with a 408', async () => {
    const port = await intakeOnPort({ HTTP_REQUEST_TIMEOUT_MS: '600' });
    let drip: NodeJS.Timeout | undefined;
    const ended = await watch(
      port,
      (socket) => {
        socket.write(
          'POST /webhooks/jira HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\n' +
            'X-Hub-Signature: sha256=00\r\nContent-Length: 100000\r\n\r\n{',
        );
        drip = setInterval(() => socket.writable && socket.write(' '), 50);
      },
      5000,
    );
    clearInterval(drip);
    expect(ended.afterMs).not.toBeNull();
    expect(ended.afterMs).toBeLessThan(2500);
    expect(ended.received).toMatch(/^HTTP\/1\.1 408/);
  });

  it('drops connections past HTTP_MAX_CONNECTIONS as they arrive', async () => {
    const port = await intakeOnPort({ HTTP_MAX_CONNECTIONS: '3' });
    const held = await Promise.all(
      Array.from(
        { length: 3 },
        () =>
          new Promise<net.Socket>((resolve) => {
            const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
          }),
      ),
    );
    onTestFinished(() => {
      for (const socket of held) socket.destroy();
    });
    const surplus = await watch(port, () => undefined, 2000);
    expect(surplus.afterMs).not.toBeNull();
    expect(surplus.afterMs).toBeLessThan(1000);
    // Once the held ones close, there is room again.
    for (const socket of held) socket.destroy();
    await waitUntil('a connection to be accepted again', async () =>
      fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.status === 200,
        () => false,
      ),
    );
  });
});

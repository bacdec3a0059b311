import type { FastifyInstance } from 'fastify';

/** A dependency the service needs to do its work; `/readyz` fails while any check throws. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

/**
 * `/healthz`: alive. `/readyz`: 200 when every check passes, else 503 naming the dependencies that
 * are down. Both are public; an error's message can carry hosts and addresses, so it is logged,
 * never answered.
 */
export function registerHealthRoutes(app: FastifyInstance, checks: readonly ReadinessCheck[]): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (request, reply) => {
    const down = (
      await Promise.all(
        checks.map(async ({ name, check }) => {
          try {
            await withTimeout(check(), 2000);
            return [];
          } catch (err) {
            request.log.warn({ err, dependency: name }, 'not ready');
            return [name];
          }
        }),
      )
    ).flat();
    return down.length === 0
      ? reply.status(200).send({ status: 'ready', down })
      : reply.status(503).send({ status: 'not ready', down });
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

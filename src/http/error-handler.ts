import type { FastifyError, FastifyInstance } from 'fastify';
import { type ErrorCode, isRelayError } from '../errors.ts';

const statusByCode: Partial<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  INVALID_PAYLOAD: 400,
  OAUTH_STATE_INVALID: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  UNAVAILABLE: 503,
};

/**
 * One place that turns errors into responses. Client mistakes keep their 4xx and message; anything
 * else is logged with its stack and answered with a generic 5xx body that leaks nothing.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (isRelayError(err)) {
      const status = statusByCode[err.code] ?? (err.retryable ? 503 : 500);
      if (status >= 500) request.log.error({ err }, 'request failed');
      return reply
        .status(status)
        .send({ error: err.code, message: status >= 500 ? 'unavailable' : err.message });
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.status(status).send({ error: err.code ?? 'BAD_REQUEST', message: err.message });
    }
    request.log.error({ err }, 'request failed');
    return reply.status(500).send({ error: 'INTERNAL', message: 'internal error' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send({ error: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );
}

import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/index.ts';

type LimitsConfig = Pick<
  Config,
  | 'HTTP_REQUEST_TIMEOUT_MS'
  | 'HTTP_CONNECTION_TIMEOUT_MS'
  | 'HTTP_KEEP_ALIVE_TIMEOUT_MS'
  | 'HTTP_MAX_CONNECTIONS'
>;

/** Node checks the request and header deadlines on this interval (30 s by default). */
const longestCheckIntervalMs = 1000;

/**
 * Fastify's options that bound how long a client may hold a request and a connection. Bodies are
 * read before they are authenticated (an HMAC covers the bytes), so without these a client
 * trickling a body in keeps its buffer, and its socket, for as long as it likes; Fastify's own
 * defaults set no request or connection timeout.
 */
export function serverLimits(config: LimitsConfig) {
  const requestTimeout = config.HTTP_REQUEST_TIMEOUT_MS;
  return {
    requestTimeout,
    connectionTimeout: config.HTTP_CONNECTION_TIMEOUT_MS,
    keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    http: {
      // Checked every 30 s by default, a deadline could be overrun by that much; the check walks
      // the open connections, which costs little once a second.
      connectionsCheckingInterval: Math.min(
        longestCheckIntervalMs,
        Math.max(10, Math.floor(requestTimeout / 4)),
      ),
      // Node refuses a headers timeout (60 s by default) longer than the request timeout.
      headersTimeout: Math.min(60_000, requestTimeout),
    },
  };
}

/** Connections past the cap are closed as they arrive (Node's `maxConnections`); Fastify has no option for it. */
export function capConnections(app: FastifyInstance, config: LimitsConfig): void {
  app.server.maxConnections = config.HTTP_MAX_CONNECTIONS;
}

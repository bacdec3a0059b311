import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Config } from '../config/index.ts';
import { type AdminRouteDeps, registerAdminRoutes } from './admin/admin-plugin.ts';
import { installErrorHandler } from './http/error-handler.ts';
import { lazyChildLogger } from './http/lazy-child-logger.ts';
import { capConnections, serverLimits } from './http/server-limits.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics/registry.ts';
import { type ReadinessCheck, registerHealthRoutes } from './routes/health.ts';
import { registerMetricsRoute } from './routes/metrics.ts';
import { type OAuthRouteDeps, registerOAuthRoutes } from './routes/oauth.ts';
import { registerWebhookRoutes, type WebhookRouteDeps } from './routes/webhooks.ts';

export interface AppDeps {
  readonly config: Config;
  readonly log: Logger;
  readonly readiness: readonly ReadinessCheck[];
  /** Served at /metrics when present, unless METRICS_PORT moves it to its own listener (buildMetricsApp). */
  readonly metrics?: Metrics;
  /** Jira webhook intake; absent in processes that do not take webhooks. */
  readonly webhooks?: WebhookRouteDeps;
  /** OAuth consent (`/oauth/start`, `/oauth/callback`); absent in processes that do not serve it. */
  readonly oauth?: OAuthRouteDeps;
  /** Dashboard (`/admin/queues`) and admin API (`/admin/api`), behind ADMIN_TOKEN; absent: not served. */
  readonly admin?: AdminRouteDeps;
}

/** Builds the HTTP service from its dependencies. Never listens: main.ts does, tests use inject(). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps FastifyInstance's default generics.
    loggerInstance: deps.log as FastifyBaseLogger,
    bodyLimit: deps.config.WEBHOOK_MAX_BODY_BYTES,
    trustProxy: deps.config.TRUST_PROXY,
    ...serverLimits(deps.config),
    // Per-request lines would dominate the log at webhook rates; routes log what matters.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyChildLogger,
  });
  capConnections(app, deps.config);
  installErrorHandler(app);
  registerHealthRoutes(app, deps.readiness);
  if (deps.metrics && deps.config.METRICS_PORT === undefined)
    registerMetricsRoute(app, deps.metrics.registry);
  if (deps.webhooks) registerWebhookRoutes(app, deps.webhooks);
  if (deps.oauth) await registerOAuthRoutes(app, deps.oauth);
  if (deps.admin) await registerAdminRoutes(app, deps.admin);
  return app;
}

/**
 * The listener of METRICS_PORT: `/metrics` alone. The metrics name every tenant's site host, so
 * they can be kept off the public port and reached only from inside the network.
 */
export async function buildMetricsApp(deps: Pick<AppDeps, 'config' | 'log'> & { metrics: Metrics }) {
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    ...serverLimits(deps.config),
    logController: new LogController({ disableRequestLogging: true }),
  });
  capConnections(app, deps.config);
  installErrorHandler(app);
  registerMetricsRoute(app, deps.metrics.registry);
  return app;
}

import type { Config } from '../../config/index.ts';
import type { AdminRouteDeps } from '../admin/admin-plugin.ts';
import { RedisAuthThrottle } from '../admin/auth-throttle.ts';
import type { Connection } from '../connections/connection.ts';
import { BatchingDeliveryQueue } from '../queues/delivery-queue.ts';
import { bullPrefix } from '../state/redis-client.ts';
import type { WebhookIntakeDeps } from '../webhooks/intake.ts';
import { createWebhookAuthenticator } from '../webhooks/webhook-auth.ts';
import { CachedWebhookRouter } from '../webhooks/webhook-router.ts';
import { cachedSecrets } from '../webhooks/webhook-secret-store.ts';
import type { Services } from './services.ts';
import type { TokenServices } from './token-services.ts';

/**
 * The HTTP routes' dependencies, built from the process's services. Their types are the routes'
 * own (app.ts checks them); what is built here is only what the routes alone use.
 */
export function webhookRouteDeps(services: Services): WebhookIntakeDeps & { readonly maxBodyBytes: number } {
  const { config } = services;
  return {
    authenticate: createWebhookAuthenticator({
      clientSecret: config.ATLASSIAN_CLIENT_SECRET,
      webhookSecret: config.JIRA_WEBHOOK_SECRET,
      clockSkewSeconds: config.WEBHOOK_JWT_CLOCK_SKEW_SECONDS,
      clientId: config.ATLASSIAN_CLIENT_ID,
      maxAgeSeconds: config.WEBHOOK_JWT_MAX_AGE_SECONDS,
      maxLifetimeSeconds: config.WEBHOOK_JWT_MAX_LIFETIME_SECONDS,
    }),
    router: new CachedWebhookRouter({
      connections: services.tokens.connections,
      registrations: services.registrations,
      ttlMs: config.WEBHOOK_ROUTE_CACHE_MS,
    }),
    deliveries: new BatchingDeliveryQueue({
      queue: services.queues.events,
      // The queues' prefix: the claims share the job's transaction, so on a cluster its slot.
      keyPrefix: bullPrefix(config),
      dedupeTtlMs: config.WEBHOOK_DEDUPE_TTL_SECONDS * 1000,
    }),
    metrics: services.metrics,
    sharedSecretSites: config.JIRA_WEBHOOK_SECRET_SITES,
    maxJsonDepth: config.WEBHOOK_MAX_JSON_DEPTH,
    connectionSecrets: cachedSecrets(services.webhookSecrets, config.WEBHOOK_ROUTE_CACHE_MS, services.now),
    maxBodyBytes: config.WEBHOOK_MAX_BODY_BYTES,
  };
}

/** The consent routes' dependencies from the token services. */
export function oauthRouteDeps(
  config: Pick<Config, 'PUBLIC_URL' | 'OAUTH_STATE_MEMORY_SECONDS' | 'OAUTH_ALLOWED_SITES'>,
  tokens: TokenServices,
  onConnected: (connections: Connection[]) => Promise<void>,
) {
  return {
    publicUrl: config.PUBLIC_URL,
    bindingCookieSeconds: config.OAUTH_STATE_MEMORY_SECONDS,
    oauth: tokens.oauth,
    states: tokens.states,
    grants: tokens.tokenStore,
    connections: tokens.connections,
    allowedSites: config.OAUTH_ALLOWED_SITES,
    onConnected,
    onGrantReplaced: (accountId: string) => tokens.tokens.forget(accountId),
    links: tokens.connectLinks,
    startLimit: tokens.startLimit,
  };
}

/** The dashboard and admin API over the services' queues and stores. */
export function adminRouteDeps(services: Services): AdminRouteDeps {
  const { config } = services;
  return {
    adminToken: config.ADMIN_TOKEN,
    publicUrl: config.PUBLIC_URL,
    sessionSeconds: config.ADMIN_SESSION_SECONDS,
    queues: Object.values(services.queues),
    authThrottle: new RedisAuthThrottle({
      redis: services.redis,
      keyPrefix: config.QUEUE_PREFIX,
      maxFailures: config.ADMIN_AUTH_MAX_FAILURES,
      windowSeconds: config.ADMIN_AUTH_FAILURE_WINDOW_SECONDS,
    }),
    connections: services.tokens.connections,
    commands: services.commands.store,
    registrations: services.registrations,
    webhooks: services.registrar,
    sync: services.sync.control,
    siteHistory: services.sync.history,
    budget: services.sync.budget,
    reconcileWebhooks: (id) => services.reconcileWebhooks(id),
    webhookSecrets: services.webhookSecrets,
    rotationGraceSeconds: config.WEBHOOK_SECRET_ROTATION_GRACE_SECONDS,
    connectLinks: services.tokens.connectLinks,
    now: services.now,
  };
}

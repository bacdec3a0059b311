import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import type { Queue } from 'bullmq';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type CommandRouteDeps, commandRoutes } from './admin-commands.ts';
import { type ConnectLinkRouteDeps, connectLinkRoutes, connectLinkUrl } from './admin-connect-links.ts';
import { type ConnectionRouteDeps, connectionRoutes } from './admin-connections.ts';
import { type ConnectionsPageDeps, registerConnectionsPage } from './admin-connections-page.ts';
import { type AdminCredentials, createAdminCredentials } from './admin-credentials.ts';
import { deadLetterRoutes } from './admin-dead-letters.ts';
import { registerLoginRoutes } from './admin-login.ts';
import { type AdminRoute, badRequest, defineRoute } from './admin-route.ts';
import { type WebhookSecretRouteDeps, webhookSecretRoutes } from './admin-webhook-secrets.ts';
import { type AuthAttempt, type AuthThrottle, unavailableRetrySeconds } from './auth-throttle.ts';
import { renderCommandsPage } from './commands-page.ts';
import { dashboardPlugin } from './dashboard.ts';
import { DeadLetters } from './dead-letters.ts';
import { openApiDocument } from './openapi.ts';
import { fromSameOrigin, needsSameOrigin, originOf } from './same-origin.ts';

export interface AdminRouteDeps
  extends ConnectionRouteDeps,
    CommandRouteDeps,
    WebhookSecretRouteDeps,
    ConnectLinkRouteDeps,
    ConnectionsPageDeps {
  /** ADMIN_TOKEN. */
  readonly adminToken: string;
  /** PUBLIC_URL: the session cookie is `Secure` when it is https; forms must come from its origin. */
  readonly publicUrl: string;
  /** ADMIN_SESSION_SECONDS. */
  readonly sessionSeconds: number;
  /** Every queue: shown in the dashboard, their failed jobs are the dead letters. */
  readonly queues: readonly Queue[];
  /** Slows down guessing ADMIN_TOKEN; absent: no limit. */
  readonly authThrottle?: AuthThrottle;
  readonly now?: () => number;
}

export const adminSessionCookie = 'jira_relay_admin';

/**
 * Everything under /admin in one encapsulated scope whose onRequest hook lets a request through
 * only with ADMIN_TOKEN (bearer) or a valid session cookie: the Bull Board dashboard with its
 * assets and its own API, the JSON admin API with its OpenAPI document, and this scope's 404s.
 * Only the sign-in form is open. Browsers without a session are sent to it; API clients get 401.
 * Before any of that, a request a browser could have been made to send from another site (see
 * same-origin.ts) must come from PUBLIC_URL's origin: SameSite cookies alone trust every sibling
 * subdomain, and do not cover the sign-in form at all.
 */
export async function registerAdminRoutes(app: FastifyInstance, deps: AdminRouteDeps): Promise<void> {
  const credentials = createAdminCredentials(deps.adminToken, deps.sessionSeconds * 1000);
  const now = deps.now ?? Date.now;
  const throttle = deps.authThrottle;
  const publicOrigin = originOf(deps.publicUrl) ?? deps.publicUrl;
  const routes = adminApiRoutes(deps);

  await app.register(
    async (scope) => {
      if (!scope.hasDecorator('parseCookie')) await scope.register(fastifyCookie);
      await scope.register(fastifyFormbody);
      scope.addHook('onRequest', async (request, reply) => {
        if (needsSameOrigin(request) && !fromSameOrigin(request, publicOrigin)) {
          request.log.warn({ ip: request.ip, url: request.url }, 'admin request from another origin refused');
          return reply
            .status(403)
            .send({ error: 'FORBIDDEN', message: `admin forms are accepted only from ${publicOrigin}` });
        }
        if (request.routeOptions.url && openRoutes.has(request.routeOptions.url)) return;
        return authenticate(request, reply, { credentials, throttle, now });
      });
      scope.addHook('onSend', async (_request, reply, payload) => {
        if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
        return payload;
      });
      scope.setNotFoundHandler((request, reply) =>
        reply
          .status(404)
          .send({ error: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` }),
      );

      registerLoginRoutes(scope, {
        credentials,
        cookie: {
          name: adminSessionCookie,
          secure: deps.publicUrl.startsWith('https:'),
          maxAge: deps.sessionSeconds,
        },
        isOperator: (request) => isOperator(request, credentials, now()),
        ...(throttle ? { throttle } : {}),
        now,
      });
      scope.get('/', (_request, reply) => reply.redirect('/admin/queues', 303));
      // An operator's browser starts a consent here: a fresh single-use link, followed at once.
      scope.get('/connect', async (_request, reply) => {
        const { token } = await deps.connectLinks.issue({ site: null }, now());
        return reply.redirect(connectLinkUrl('', token), 303);
      });
      await scope.register(dashboardPlugin(deps.queues, '/admin/queues'), { prefix: '/queues' });
      // Two-way sync beside the queues: each site's recent commands and their results.
      scope.get('/commands', async (_request, reply) => {
        const connections = await deps.connections.list();
        const sites = await Promise.all(
          connections.map(async (connection) => ({
            connection,
            commands: await deps.commands.recent(connection.siteHost, 20),
          })),
        );
        return reply.type('text/html; charset=utf-8').send(renderCommandsPage(sites, new Date(now())));
      });
      // Each site's health and the levers on it, acting through the API routes below.
      const secureCookie = deps.publicUrl.startsWith('https:');
      registerConnectionsPage(scope, { ...deps, api: routes, secureCookie, now });
      for (const route of routes) registerApiRoute(scope, route);
    },
    { prefix: '/admin' },
  );
}

function registerApiRoute(scope: FastifyInstance, route: AdminRoute): void {
  scope.route({
    method: route.method,
    url: `/api${route.path}`,
    handler: async (request, reply) => {
      const { params, query, body, log } = request;
      const result = await route.run({ params, query, body, log });
      return reply.status(result.status).send(result.body);
    },
    // A body Fastify cannot parse never reaches `run`: answer it in the same shape as its 400s.
    errorHandler: (err: FastifyError, _request, reply) => {
      if (!unparsableBodyCodes.has(err.code)) throw err; // the app's error handler answers it
      const result = badRequest(`body: ${err.message}`, ['body']);
      return reply.status(result.status).send(result.body);
    },
  });
}

/** Fastify's content-type parser errors for a JSON body it cannot read. */
const unparsableBodyCodes = new Set(['FST_ERR_CTP_INVALID_JSON_BODY', 'FST_ERR_CTP_EMPTY_JSON_BODY']);

/** Signing in and out work without a session; nothing else does. */
const openRoutes = new Set(['/admin/login', '/admin/logout']);

/** The API route table, the OpenAPI document's route included (it describes itself too). */
function adminApiRoutes(deps: AdminRouteDeps): AdminRoute[] {
  const routes: AdminRoute[] = [
    ...connectionRoutes(deps),
    ...commandRoutes(deps),
    ...webhookSecretRoutes(deps),
    ...connectLinkRoutes(deps),
    ...deadLetterRoutes(new DeadLetters(deps.queues)),
  ];
  let document: unknown;
  routes.push(
    defineRoute({
      method: 'GET',
      path: '/docs',
      summary: 'This OpenAPI 3.1 description of the admin API.',
      responses: { 200: { description: 'The OpenAPI document.' } },
      async handle() {
        document ??= openApiDocument(routes, '/admin/api', adminSessionCookie);
        return { status: 200, body: document };
      },
    }),
  );
  return routes;
}

function isOperator(request: FastifyRequest, credentials: AdminCredentials, now: number): boolean {
  const header = request.headers.authorization;
  if (header !== undefined) return bearerMatches(header, credentials);
  const session = request.cookies[adminSessionCookie];
  return session !== undefined && credentials.verifySession(session, now);
}

function bearerMatches(header: string, credentials: AdminCredentials): boolean {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  return token !== undefined && credentials.matchesToken(token);
}

interface AuthDeps {
  readonly credentials: AdminCredentials;
  readonly throttle: AuthThrottle | undefined;
  readonly now: () => number;
}

/**
 * A session cookie is checked as is (never counted: see auth-throttle.ts). A presented token is
 * counted first and checked only if the throttle admits it, so it can neither be checked past the
 * limit nor while the count cannot be kept.
 */
async function authenticate(
  request: FastifyRequest,
  reply: FastifyReply,
  auth: AuthDeps,
): Promise<FastifyReply | undefined> {
  const header = request.headers.authorization;
  if (header === undefined) {
    return isOperator(request, auth.credentials, auth.now()) ? undefined : deny(request, reply);
  }
  if (auth.throttle) {
    const attempt = await auth.throttle.admit(request.ip);
    if (attempt.kind !== 'admitted') return notChecked(request, reply, attempt);
  }
  if (!bearerMatches(header, auth.credentials)) return deny(request, reply);
  await auth.throttle?.forgive(request.ip);
  return undefined;
}

/** 429 while the address has used up its tries; 503 while Redis cannot count them. */
function notChecked(
  request: FastifyRequest,
  reply: FastifyReply,
  attempt: Exclude<AuthAttempt, { kind: 'admitted' }>,
): FastifyReply {
  if (attempt.kind === 'refused') {
    return reply
      .status(429)
      .header('retry-after', String(attempt.retryAfterSeconds))
      .send({
        error: 'TOO_MANY_FAILURES',
        message: `too many wrong admin tokens from this address: try again in ${attempt.retryAfterSeconds} s`,
      });
  }
  request.log.error({ err: attempt.err }, 'admin token not checked: the failure count is unavailable');
  return reply
    .status(503)
    .header('retry-after', String(unavailableRetrySeconds))
    .send({ error: 'UNAVAILABLE', message: 'admin sign-in is unavailable: try again shortly' });
}

function deny(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const browser =
    request.method === 'GET' &&
    request.headers.authorization === undefined &&
    (request.headers.accept ?? '').includes('text/html');
  if (browser) return reply.redirect(`/admin/login?next=${encodeURIComponent(request.url)}`, 303);
  return reply.status(401).header('www-authenticate', 'Bearer realm="jira-relay admin"').send({
    error: 'UNAUTHENTICATED',
    message: 'admin token required: Authorization: Bearer <ADMIN_TOKEN>, or sign in at /admin/login',
  });
}

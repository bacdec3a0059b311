import fastifyCookie from '@fastify/cookie';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply } from 'fastify';
import type { ConnectLink } from '../atlassian/oauth/connect-link-store.ts';
import type { AccessibleResource } from '../atlassian/oauth/oauth-client.ts';
import { newStateBinding, type StateCheck } from '../atlassian/oauth/oauth-state-store.ts';
import type { TokenPair } from '../atlassian/oauth/token-response.ts';
import type { Connection } from '../connections/connection.ts';
import type { ConnectionStore } from '../connections/connection-store.ts';
import { jiraSitesOf, partitionAllowed } from '../connections/jira-sites.ts';
import { isRelayError } from '../errors.ts';
import type { TokenStore } from '../tokens/token-store.ts';
import * as pages from './oauth-pages.ts';

/** The OAuth client calls the consent flow makes (AtlassianOAuthClient). */
interface ConsentClient {
  authorizeUrl(state: string): string;
  exchangeCode(code: string): Promise<TokenPair>;
  accessibleResources(accessToken: string): Promise<AccessibleResource[]>;
  accountId(accessToken: string, grantedScopes: readonly string[], cloudId: string): Promise<string>;
}

interface OAuthStates {
  issue(binding: string, site: string | null): Promise<string>;
  consume(state: string | undefined, binding: string | undefined): Promise<StateCheck>;
}

export interface OAuthRouteDeps {
  /** PUBLIC_URL: the cookie is `Secure` when it is https. */
  readonly publicUrl: string;
  /** OAUTH_STATE_MEMORY_SECONDS: lifetime of the browser-binding cookie. */
  readonly bindingCookieSeconds: number;
  readonly oauth: ConsentClient;
  readonly states: OAuthStates;
  readonly grants: Pick<TokenStore, 'putFromConsent'>;
  readonly connections: Pick<ConnectionStore, 'upsertFromConsent'>;
  /** OAUTH_ALLOWED_SITES: hosts a consent may connect; empty: any. */
  readonly allowedSites: readonly string[];
  /** Starts what follows a consent (webhook registration, first sync) as jobs; must return quickly. */
  readonly onConnected: (connections: Connection[]) => Promise<void>;
  /** Tells the token manager a consent replaced an account's grant (drop its cached token). */
  readonly onGrantReplaced?: (accountId: string) => void;
  /** Single-use connect links from the admin API: the only way to start a consent. */
  readonly links: { consume(token: string): Promise<ConnectLink | undefined> };
  /** OAUTH_START_MAX_PER_MINUTE per client address; seconds to wait, 0 when allowed. */
  readonly startLimit: { retryAfterSeconds(client: string): Promise<number> };
  readonly now?: () => number;
}

const bindingCookie = 'jira_relay_oauth';
const bindingShape = /^[A-Za-z0-9_-]{43}$/;

/** `GET /oauth/start` and `GET /oauth/callback`: Atlassian 3LO consent, one connection per Jira site. */
export async function registerOAuthRoutes(app: FastifyInstance, deps: OAuthRouteDeps): Promise<void> {
  await app.register(async (scope) => {
    if (!scope.hasDecorator('parseCookie')) await scope.register(fastifyCookie);

    scope.get('/oauth/start', async (request, reply) => {
      const query = singleValues(request.query, ['link']);
      if (!query) return send(reply, pages.failedPage(400, 'A query parameter was given more than once.'));
      let link: ConnectLink | undefined;
      try {
        const wait = await deps.startLimit.retryAfterSeconds(request.ip);
        if (wait > 0) return send(reply.header('retry-after', String(wait)), pages.tooManyStartsPage());
        link = query.link ? await deps.links.consume(query.link) : undefined;
      } catch (err) {
        request.log.warn({ err }, 'OAuth start refused: Redis unavailable');
        return send(reply.header('retry-after', '5'), pages.failedPage(503, 'Please try again in a moment.'));
      }
      if (!link) return send(reply, pages.connectLinkRequiredPage(query.link !== undefined));
      const existing = request.cookies[bindingCookie];
      const binding = existing && bindingShape.test(existing) ? existing : newStateBinding();
      const state = await deps.states.issue(binding, link.site);
      reply.setCookie(bindingCookie, binding, {
        path: '/oauth',
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.publicUrl.startsWith('https:'),
        maxAge: deps.bindingCookieSeconds,
      });
      return reply.header('cache-control', 'no-store').redirect(deps.oauth.authorizeUrl(state), 302);
    });

    scope.get('/oauth/callback', async (request, reply) => {
      const query = singleValues(request.query, ['state', 'code', 'error', 'error_description']);
      if (!query) return send(reply, pages.failedPage(400, 'A query parameter was given more than once.'));
      const check = await deps.states.consume(query.state, request.cookies[bindingCookie]);
      if (query.error === 'access_denied') return send(reply, pages.declinedPage());
      if (query.error) return send(reply, pages.atlassianErrorPage(query.error, query.error_description));
      if (!check.ok) return send(reply, pages.stateRejectedPage(check.reason));
      if (!query.code) return send(reply, pages.failedPage(400, 'Atlassian sent no authorization code.'));
      return send(reply, await connect(deps, query.code, check.site, request.log));
    });
  });
}

async function connect(
  deps: OAuthRouteDeps,
  code: string,
  site: string | null,
  log: FastifyBaseLogger,
): Promise<pages.Page> {
  let stored: Awaited<ReturnType<typeof storeConsent>>;
  try {
    stored = await storeConsent(deps, code, site);
  } catch (err) {
    log.warn({ err }, 'OAuth consent could not be completed');
    const retryable = !isRelayError(err) || err.retryable;
    return pages.failedPage(
      retryable ? 502 : 400,
      retryable
        ? 'Atlassian could not be reached to complete the connection. Please try again.'
        : 'Atlassian refused the authorization (it may have been used already or expired). Please start again.',
    );
  }
  if (stored.connected.length === 0 && stored.refused.length > 0) {
    log.warn(
      { sites: stored.refused.map((s) => s.url) },
      'consent for sites not in OAUTH_ALLOWED_SITES refused',
    );
    return pages.refusedSitesPage(stored.refused);
  }
  try {
    await deps.onConnected(stored.connected.map(({ connection }) => connection));
  } catch (err) {
    log.error({ err }, 'connected, but follow-up jobs could not be scheduled');
    return pages.failedPage(
      503,
      'The sites were connected, but their setup could not be scheduled. Please connect again.',
    );
  }
  log.info({ sites: stored.connected.map(({ connection }) => connection.siteHost) }, 'Jira sites connected');
  return pages.connectedPage(stored.connected, stored.refused);
}

/**
 * Code -> token pair -> Jira sites -> account -> grant, then one connection per allowed site: the
 * link's site when it named one, and within OAUTH_ALLOWED_SITES. A consent that reaches no allowed
 * site stores nothing (no grant is kept for sites we will not sync).
 */
async function storeConsent(deps: OAuthRouteDeps, code: string, site: string | null) {
  const pair = await deps.oauth.exchangeCode(code);
  const { allowed, refused } = partitionAllowed(
    jiraSitesOf(await deps.oauth.accessibleResources(pair.accessToken)),
    site === null
      ? deps.allowedSites
      : deps.allowedSites.length === 0 || deps.allowedSites.includes(site)
        ? [site]
        : [],
  );
  const connected: { connection: Connection; created: boolean }[] = [];
  const [first] = allowed;
  if (!first) return { connected, refused };
  const accountId = await deps.oauth.accountId(pair.accessToken, pair.scopes, first.cloudId);
  await deps.grants.putFromConsent(accountId, pair, (deps.now ?? Date.now)());
  deps.onGrantReplaced?.(accountId);
  for (const site of allowed) connected.push(await deps.connections.upsertFromConsent(site, accountId));
  return { connected, refused };
}

/**
 * The named query parameters, each at most once; null when one was repeated (`?state=a&state=b`),
 * which a browser following Atlassian's redirect never sends.
 */
function singleValues<K extends string>(
  query: unknown,
  names: readonly K[],
): Partial<Record<K, string>> | null {
  const values: Partial<Record<K, string>> = {};
  const raw = (query ?? {}) as Record<string, unknown>;
  for (const name of names) {
    const value = raw[name];
    if (value === undefined) continue;
    if (typeof value !== 'string') return null;
    values[name] = value;
  }
  return values;
}

function send(reply: FastifyReply, page: pages.Page): FastifyReply {
  return reply
    .status(page.status)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(page.html);
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { RedisJiraBudget } from '../atlassian/budget/redis-jira-budget.ts';
import type { Connection } from '../connections/connection.ts';
import type { RedisSiteHistory } from '../state/site-history.ts';
import type { ConnectionRouteDeps } from './admin-connections.ts';
import type { AdminRoute } from './admin-route.ts';
import type { WebhookSecretRouteDeps } from './admin-webhook-secrets.ts';
import { connectionView } from './connection-view.ts';
import { renderConnectionsPage, type SiteHealth } from './connections-page.ts';
import { type LeverName, leverNames, renderConfirmPage } from './connections-page-levers.ts';
import { leverCall, leverOutcome } from './connections-page-outcomes.ts';
import type { Flash } from './connections-page-shell.ts';

/** What the connections page reads besides what the admin API already has. */
export interface ConnectionsPageDeps {
  /** Each connection's recent poll lag and webhook coverage, as the sync planner records them. */
  readonly siteHistory: Pick<RedisSiteHistory, 'read'>;
  /** The Jira points budget: the pool each site spends from, this window. */
  readonly budget: Pick<RedisJiraBudget, 'snapshot'>;
}

type PageDeps = ConnectionsPageDeps &
  Pick<ConnectionRouteDeps, 'connections' | 'registrations' | 'sync'> & {
    readonly webhookSecrets: Pick<WebhookSecretRouteDeps['webhookSecrets'], 'info'>;
    /** The admin API's route table: every lever runs the API's own route, checks and all. */
    readonly api: readonly AdminRoute[];
    /** The flash cookie is `Secure` when PUBLIC_URL is https. */
    readonly secureCookie: boolean;
    readonly now: () => number;
  };

const flashCookie = 'jira_relay_flash';
const pagePath = '/admin/connections';
const leverParams = z.object({ id: z.uuid(), lever: z.enum(leverNames) });
const leverForm = z.object({ from: z.string().max(64).optional().catch(undefined) });
const flashSchema = z.object({ kind: z.enum(['ok', 'error']), text: z.string().max(2000) });

/**
 * GET /admin/connections (the page), GET .../:id/confirm/:lever (the confirmation step, which
 * changes nothing) and POST .../:id/:lever (the act), inside the admin scope: behind its login and
 * its same-origin check for browser POSTs. A lever runs the admin API's route itself, then sends
 * the browser back to the page with a flash line; a secret or a connect link is shown once instead.
 */
export function registerConnectionsPage(scope: FastifyInstance, deps: PageDeps): void {
  const cookie = { path: pagePath, httpOnly: true, sameSite: 'strict', secure: deps.secureCookie } as const;
  const back = (reply: FastifyReply, flash: Flash) =>
    reply.setCookie(flashCookie, JSON.stringify(flash), { ...cookie, maxAge: 60 }).redirect(pagePath, 303);

  scope.get('/connections', async (request, reply) => {
    const flash = readFlash(request);
    if (flash !== null) reply.clearCookie(flashCookie, cookie);
    const sites = await Promise.all((await deps.connections.list()).map((c) => siteHealth(deps, c)));
    return html(reply, renderConnectionsPage(sites, flash, deps.now()));
  });

  scope.get('/connections/:id/confirm/:lever', async (request, reply) => {
    const params = leverParams.safeParse(request.params);
    if (!params.success) return reply.callNotFound();
    const connection = await deps.connections.get(params.data.id);
    if (!connection) return back(reply, { kind: 'error', text: 'No such connection.' });
    const { from } = leverForm.parse(request.query ?? {});
    return html(reply, renderConfirmPage(target(connection), params.data.lever, from ?? ''));
  });

  scope.post('/connections/:id/:lever', async (request, reply) => {
    const params = leverParams.safeParse(request.params);
    if (!params.success) return reply.callNotFound();
    const { id, lever } = params.data;
    const connection = await deps.connections.get(id);
    if (!connection) return back(reply, { kind: 'error', text: 'No such connection.' });
    const form = leverForm.parse(request.body ?? {});
    const result = await runLever(deps.api, lever, connection, form.from ?? '', request);
    const outcome = leverOutcome(lever, connection.siteHost, form.from ?? '', result);
    if (outcome.kind === 'shown-once') return html(reply, outcome.page);
    return back(reply, outcome.flash);
  });
}

async function runLever(
  api: readonly AdminRoute[],
  lever: LeverName,
  connection: Connection,
  from: string,
  request: FastifyRequest,
) {
  const call = leverCall(lever, connection, from);
  const route = api.find((r) => r.method === call.method && r.path === call.path);
  if (!route) throw new Error(`the admin API has no route ${call.method} ${call.path} for ${lever}`);
  request.log.info({ connection: connection.id, lever }, 'connections page lever');
  return route.run({ params: { id: connection.id }, query: {}, body: call.body, log: request.log });
}

async function siteHealth(deps: PageDeps, c: Connection): Promise<SiteHealth> {
  const [registration, sync, history, budget, secret] = await Promise.all([
    deps.registrations.get(c.id),
    deps.sync.status(c.id),
    deps.siteHistory.read(c.id),
    deps.budget.snapshot(c.siteHost),
    deps.webhookSecrets.info(c.id),
  ]);
  return {
    connection: connectionView(c, registration, sync),
    history,
    pool: {
      kind: budget.pool === 'app' ? 'app' : 'site',
      spent: budget.spent,
      limit: budget.pointsPerWindow,
      windowEndsAt: budget.windowEndsAt,
    },
    secret,
  };
}

function target(c: Connection) {
  return { id: c.id, host: c.siteHost, status: c.status };
}

function readFlash(request: FastifyRequest): Flash | null {
  const raw = request.cookies[flashCookie];
  if (raw === undefined) return null;
  try {
    const parsed = flashSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * An admin HTML page: no script may run, no other site may frame it (the confirmation buttons
 * must not be clickjacked), and forms may post only here.
 */
function html(reply: FastifyReply, body: string): FastifyReply {
  return reply
    .header(
      'content-security-policy',
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    )
    .type('text/html; charset=utf-8')
    .send(body);
}

import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SimContext } from '../context.ts';
import { appScopes } from '../oauth/scopes.ts';

type AuthorizeQuery = Record<string, string | undefined>;

/**
 * GET /authorize as auth.atlassian.com: validates the request, then either consents at once
 * (auto-consent) or shows a consent page whose Accept button posts to /authorize/consent.
 */
export function registerAuthorizeRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.get('/authorize', async (request, reply) => {
    const q = request.query as AuthorizeQuery;
    const problem = checkClient(ctx, q);
    if (problem) return reply.code(400).type('text/html').send(page('Something went wrong', problem));
    const redirectUri = q.redirect_uri as string;
    const invalid = checkRequest(q);
    if (invalid) return redirectWithError(reply, redirectUri, q.state, invalid.error, invalid.description);
    const scopes = (q.scope as string).split(' ').filter(Boolean);
    const accountId = pickUser(ctx, q.login_hint);
    if (!accountId)
      return reply.code(400).type('text/html').send(page('Unknown account', 'login_hint matches nobody'));
    if (ctx.options.autoConsent) return consent(ctx, reply, accountId, redirectUri, scopes, q.state);
    return reply.type('text/html').send(consentPage(ctx, q, accountId));
  });

  app.post('/authorize/consent', async (request, reply) => {
    const body = request.body as AuthorizeQuery;
    const problem = checkClient(ctx, body);
    if (problem) return reply.code(400).type('text/html').send(page('Something went wrong', problem));
    const redirectUri = body.redirect_uri as string;
    if (body.decision !== 'accept')
      return redirectWithError(
        reply,
        redirectUri,
        body.state,
        'access_denied',
        'User did not authorize the request',
      );
    const accountId =
      body.account_id && ctx.world.user(body.account_id) ? body.account_id : pickUser(ctx, undefined);
    const scopes = (body.scope ?? '').split(' ').filter(Boolean);
    return consent(ctx, reply, accountId as string, redirectUri, scopes, body.state);
  });
}

function consent(
  ctx: SimContext,
  reply: FastifyReply,
  accountId: string,
  redirectUri: string,
  scopes: string[],
  state: string | undefined,
) {
  const code = ctx.grants.issueCode(accountId, redirectUri, scopes, ctx.clock.now());
  const target = new URL(redirectUri);
  target.searchParams.set('code', code);
  if (state !== undefined) target.searchParams.set('state', state);
  return reply.redirect(target.toString(), 302);
}

/** Problems that make redirecting unsafe: Atlassian shows an error page instead. */
function checkClient(ctx: SimContext, q: AuthorizeQuery): string | undefined {
  if (q.client_id !== ctx.options.clientId) return 'Invalid client_id.';
  if (!q.redirect_uri) return 'redirect_uri is required.';
  if (!URL.canParse(q.redirect_uri)) return 'redirect_uri is not a URL.';
  if (ctx.options.callbackUrl && q.redirect_uri !== ctx.options.callbackUrl) {
    return 'redirect_uri does not match the callback URL of the app.';
  }
  return undefined;
}

function checkRequest(q: AuthorizeQuery): { error: string; description: string } | undefined {
  if (q.audience !== 'api.atlassian.com')
    return { error: 'invalid_request', description: 'audience must be api.atlassian.com' };
  if (q.response_type !== 'code')
    return { error: 'unsupported_response_type', description: 'response_type must be code' };
  const scopes = (q.scope ?? '').split(' ').filter(Boolean);
  if (scopes.length === 0) return { error: 'invalid_scope', description: 'scope is required' };
  const unknown = scopes.filter((s) => !appScopes.has(s));
  if (unknown.length > 0)
    return { error: 'invalid_scope', description: `Unknown or unconfigured scopes: ${unknown.join(' ')}` };
  return undefined;
}

/** login_hint (account id or email) wins, then the one-shot "next consent user", then the first user. */
function pickUser(ctx: SimContext, hint: string | undefined): string | undefined {
  if (hint) return ctx.world.users.find((u) => u.accountId === hint || u.email === hint)?.accountId;
  const next = ctx.nextConsentUser;
  ctx.nextConsentUser = undefined;
  return next ?? ctx.world.users[0]?.accountId;
}

function redirectWithError(
  reply: FastifyReply,
  redirectUri: string,
  state: string | undefined,
  error: string,
  description: string,
) {
  const target = new URL(redirectUri);
  target.searchParams.set('error', error);
  target.searchParams.set('error_description', description);
  if (state !== undefined) target.searchParams.set('state', state);
  return reply.redirect(target.toString(), 302);
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, message: string): string {
  return `<!doctype html><html><head><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`;
}

function consentPage(ctx: SimContext, q: AuthorizeQuery, accountId: string): string {
  const hidden = ['client_id', 'redirect_uri', 'scope', 'state', 'audience']
    .filter((name) => q[name] !== undefined)
    .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(q[name] as string)}">`)
    .join('');
  const users = ctx.world.users
    .map(
      (u) =>
        `<option value="${escapeHtml(u.accountId)}"${u.accountId === accountId ? ' selected' : ''}>${escapeHtml(u.displayName)} (${escapeHtml(u.email)})</option>`,
    )
    .join('');
  const scopes = (q.scope ?? '')
    .split(' ')
    .filter(Boolean)
    .map((s) => `<li>${escapeHtml(s)}</li>`)
    .join('');
  return `<!doctype html><html><head><title>Authorize app</title></head><body>
<h1>Simulated Atlassian consent</h1><p>The app wants:</p><ul>${scopes}</ul>
<form method="post" action="/authorize/consent">${hidden}
<label>Account <select name="account_id">${users}</select></label>
<button type="submit" name="decision" value="accept">Accept</button>
<button type="submit" name="decision" value="deny">Cancel</button></form></body></html>`;
}

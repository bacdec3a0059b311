import type { FastifyInstance } from 'fastify';
import type { SimContext } from '../context.ts';
import { sleep, takeRule } from '../faults.ts';
import { jiraScopes } from '../oauth/scopes.ts';
import { bump } from '../stats.ts';
import { authenticate, requireScopes } from './bearer.ts';

type TokenBody = Record<string, unknown>;

/** POST /oauth/token (JSON or form body), accessible-resources and /me, as Atlassian serves them. */
export function registerTokenRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.post('/oauth/token', async (request, reply) => {
    const body = (request.body ?? {}) as TokenBody;
    const grantType = str(body.grant_type);
    bump(ctx.stats.tokenRequests, grantType ?? 'missing');
    const rule = takeRule(ctx.faults.current.tokenFailNext, 'POST', request.url);
    if (rule)
      return reply
        .code(rule.status)
        .send(rule.body ?? { error: 'server_error', error_description: 'Simulated failure' });
    if (
      str(body.client_id) !== ctx.options.clientId ||
      str(body.client_secret) !== ctx.options.clientSecret
    ) {
      return reply.code(401).send({ error: 'access_denied', error_description: 'Unauthorized' });
    }
    const now = ctx.clock.now();
    let result: ReturnType<typeof ctx.grants.refresh>;
    if (grantType === 'authorization_code') {
      const code = str(body.code);
      if (!code)
        return reply
          .code(400)
          .send({ error: 'invalid_request', error_description: 'Missing required parameter: code' });
      result = ctx.grants.exchangeCode(code, str(body.redirect_uri), now);
    } else if (grantType === 'refresh_token') {
      const refreshToken = str(body.refresh_token);
      if (!refreshToken) {
        return reply
          .code(400)
          .send({ error: 'invalid_request', error_description: 'Missing required parameter: refresh_token' });
      }
      result = ctx.grants.refresh(refreshToken, now);
    } else {
      return reply.code(400).send({
        error: 'unsupported_grant_type',
        error_description: `Unsupported grant type: ${grantType ?? ''}`,
      });
    }
    // The work is done; a slow answer lets clients time out on a refresh that did rotate.
    if (ctx.faults.current.tokenLatencyMs) await sleep(ctx.faults.current.tokenLatencyMs);
    if (!result.ok) return reply.code(result.error.status).send(result.error.body);
    return reply.header('cache-control', 'no-store').send(result.tokens);
  });

  app.get('/oauth/token/accessible-resources', async (request, reply) => {
    const caller = authenticate(ctx, request, reply);
    if (!caller) return reply;
    const scopes = jiraScopes(caller.scopes);
    return ctx.world.sitesOf(caller.accountId).map((site) => ({
      id: site.cloudId,
      url: site.url,
      name: site.name,
      scopes,
      avatarUrl: `https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/rocket.png`,
    }));
  });

  app.get('/me', async (request, reply) => {
    const caller = authenticate(ctx, request, reply);
    if (!caller || !requireScopes(caller, reply, 'read:me')) return reply;
    const user = ctx.world.user(caller.accountId);
    if (!user) return reply.code(404).send({ code: 404, message: 'Not Found' });
    return {
      account_type: 'atlassian',
      account_id: user.accountId,
      email: user.email,
      name: user.displayName,
      picture: `https://avatar-management.services.atlassian.com/default/48`,
      account_status: 'active',
      nickname: user.displayName.split(' ')[0],
      zoneinfo: user.timeZone,
      locale: user.locale.replace('_', '-'),
      extended_profile: {
        job_title: 'Engineer',
        organization: 'Example',
        department: 'R&D',
        location: user.timeZone,
      },
    };
  });
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

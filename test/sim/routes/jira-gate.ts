import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SimContext } from '../context.ts';
import type { SimUser } from '../model.ts';
import type { AccessContext } from '../oauth/grant-store.ts';
import type { RenderView } from '../render/view.ts';
import type { SiteStore } from '../state/site-store.ts';
import { authenticate } from './bearer.ts';

export const JIRA_PREFIX = '/ex/jira/:cloudId/rest/api/3';

/** Who calls which site: resolved once per Jira request by the gate. */
export interface JiraCall {
  readonly store: SiteStore;
  readonly caller: AccessContext;
  readonly user: SimUser;
  readonly view: RenderView;
}

const calls = new WeakMap<FastifyRequest, JiraCall>();

export function jiraCall(request: FastifyRequest): JiraCall {
  const call = calls.get(request);
  if (!call) throw new Error('jiraCall() used outside the Jira gate');
  return call;
}

/** The Jira route template after /rest/api/3 (e.g. `/issue/:issueIdOrKey/comment`), for fault rules. */
export function apiRoute(request: FastifyRequest): string | undefined {
  const route = request.routeOptions.url;
  return route?.startsWith(JIRA_PREFIX) ? route.slice(JIRA_PREFIX.length) : undefined;
}

/** Jira's error body. */
export function jiraError(reply: FastifyReply, status: number, ...messages: string[]) {
  return reply.code(status).send({ errorMessages: messages, errors: {} });
}

/**
 * Every /ex/jira/{cloudId}/rest/api/3 request passes here first: the site must exist, the bearer
 * token must be valid and its account must see the site. Then the extra gates (faults, limits) run.
 */
export function installJiraGate(
  app: FastifyInstance,
  ctx: SimContext,
  gates: ReadonlyArray<
    (call: JiraCall, request: FastifyRequest, reply: FastifyReply) => Promise<boolean> | boolean
  >,
): void {
  app.addHook('preHandler', async (request, reply) => {
    const { cloudId } = request.params as { cloudId: string };
    const store = ctx.world.store(cloudId);
    const caller = authenticate(ctx, request, reply);
    if (!caller) return reply;
    const user = ctx.world.user(caller.accountId);
    if (!store || !user || !store.site.userIds.has(caller.accountId)) {
      return reply
        .code(404)
        .send({ errorMessages: ['Site not found or not accessible with this token'], errors: {} });
    }
    const view: RenderView = {
      world: ctx.world,
      store,
      base: `${ctx.baseUrl}/ex/jira/${cloudId}/rest/api/3`,
      timeZone: user.timeZone,
    };
    const call: JiraCall = { store, caller, user, view };
    calls.set(request, call);
    for (const gate of gates) {
      if (!(await gate(call, request, reply))) return reply;
    }
    return undefined;
  });
}

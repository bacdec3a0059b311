import type { FastifyInstance } from 'fastify';
import type { SimContext } from '../context.ts';
import type { WebhookEventName } from '../state/events.ts';
import { compileWebhookFilter } from '../webhooks/filter.ts';
import { DYNAMIC_EVENTS, type DynamicWebhook } from '../webhooks/registry.ts';
import { requireScopes } from './bearer.ts';
import { chargeObjects } from './cost.ts';
import { jiraCall, jiraError } from './jira-gate.ts';
import { intParam, query } from './write-helpers.ts';

const PER_USER_LIMIT = 5;

interface WebhookDetails {
  events?: unknown;
  jqlFilter?: unknown;
  fieldIdsFilter?: unknown;
  issuePropertyKeysFilter?: unknown;
}

/**
 * Dynamic webhooks for OAuth apps: register (HTTP 200 with per-item errors), list, refresh and
 * delete; a 30-day expiry, at most 5 per app per user on a site, one URL per app across all its sites.
 */
export function registerWebhookRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.post('/webhook', async (request, reply) => {
    const { caller, store, user } = jiraCall(request);
    if (!requireScopes(caller, reply, 'read:jira-work', 'manage:jira-webhook')) return reply;
    const body = (request.body ?? {}) as { url?: unknown; webhooks?: unknown };
    if (typeof body.url !== 'string' || !URL.canParse(body.url) || !Array.isArray(body.webhooks)) {
      return jiraError(reply, 400, 'The request must have a url and a list of webhooks.');
    }
    const url = body.url;
    // One destination URL per app across every site it is installed on (port-labs/ocean #1802).
    if (ctx.webhooks.ofApp().some((w) => w.url !== url))
      return jiraError(reply, 400, 'Only a single URL per app is allowed to be registered.');
    for (const item of body.webhooks as WebhookDetails[]) {
      if (!Array.isArray(item?.events) || typeof item.jqlFilter !== 'string') {
        return jiraError(reply, 400, 'Each webhook must have events and a jqlFilter.');
      }
    }
    const results = (body.webhooks as WebhookDetails[]).map((item) => {
      const events = (item.events as unknown[]).map(String);
      const unknown = events.filter((e) => !DYNAMIC_EVENTS.has(e));
      if (unknown.length > 0) return { errors: [`Events ${unknown.join(', ')} are not supported`] };
      const filter = compileWebhookFilter(item.jqlFilter as string, store);
      if ('error' in filter) return { errors: [filter.error] };
      const mine = ctx.webhooks.ofSite(store.site.cloudId).filter((w) => w.ownerAccountId === user.accountId);
      if (mine.length >= PER_USER_LIMIT)
        return { errors: [`The limit of ${PER_USER_LIMIT} webhooks per app per user has been reached`] };
      const webhook: DynamicWebhook = {
        id: ctx.webhooks.allocateId(),
        cloudId: store.site.cloudId,
        ownerAccountId: user.accountId,
        url,
        events: events as WebhookEventName[],
        jqlFilter: item.jqlFilter as string,
        predicate: filter.predicate,
        ...(Array.isArray(item.fieldIdsFilter) ? { fieldIdsFilter: item.fieldIdsFilter.map(String) } : {}),
        ...(Array.isArray(item.issuePropertyKeysFilter)
          ? { issuePropertyKeysFilter: item.issuePropertyKeysFilter.map(String) }
          : {}),
        expiresAt: ctx.clock.now() + ctx.options.webhookExpirySeconds * 1000,
      };
      ctx.webhooks.dynamic.push(webhook);
      return { createdWebhookId: webhook.id };
    });
    return { webhookRegistrationResult: results };
  });

  app.get('/webhook', async (request, reply) => {
    const { caller, store, view } = jiraCall(request);
    if (!requireScopes(caller, reply, 'read:jira-work', 'manage:jira-webhook')) return reply;
    const q = query(request);
    const startAt = Math.max(0, intParam(q.startAt, 0));
    const maxResults = Math.min(100, Math.max(1, intParam(q.maxResults, 100)));
    const all = ctx.webhooks.ofSite(store.site.cloudId);
    const page = all.slice(startAt, startAt + maxResults);
    chargeObjects(request, page.length);
    void view;
    return {
      isLast: startAt + page.length >= all.length,
      maxResults,
      startAt,
      total: all.length,
      values: page.map((w) => ({
        id: w.id,
        events: w.events,
        jqlFilter: w.jqlFilter,
        ...(w.fieldIdsFilter ? { fieldIdsFilter: w.fieldIdsFilter } : {}),
        ...(w.issuePropertyKeysFilter ? { issuePropertyKeysFilter: w.issuePropertyKeysFilter } : {}),
        expirationDate: w.expiresAt,
        url: w.url,
      })),
    };
  });

  app.put('/webhook/refresh', async (request, reply) => {
    const { caller, store } = jiraCall(request);
    if (!requireScopes(caller, reply, 'read:jira-work', 'manage:jira-webhook')) return reply;
    const ids = readIds(request.body);
    if (!ids) return jiraError(reply, 400, 'webhookIds must be a non-empty list.');
    const expiresAt = ctx.clock.now() + ctx.options.webhookExpirySeconds * 1000;
    for (const w of ctx.webhooks.ofSite(store.site.cloudId)) if (ids.has(w.id)) w.expiresAt = expiresAt; // unknown ids are ignored
    return { expirationDate: expiresAt };
  });

  app.delete('/webhook', async (request, reply) => {
    const { caller, store } = jiraCall(request);
    if (!requireScopes(caller, reply, 'read:jira-work', 'manage:jira-webhook')) return reply;
    const ids = readIds(request.body);
    if (!ids) return jiraError(reply, 400, 'webhookIds must be a non-empty list.');
    ctx.webhooks.remove(store.site.cloudId, ids);
    return reply.code(202).send();
  });
}

function readIds(body: unknown): Set<number> | undefined {
  const ids = (body as { webhookIds?: unknown })?.webhookIds;
  if (!Array.isArray(ids) || ids.length === 0) return undefined;
  return new Set(ids.map(Number));
}

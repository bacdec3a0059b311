import type { FastifyInstance } from 'fastify';
import type { SimContext } from '../context.ts';
import { fieldDefs, renderProject } from '../render/fields.ts';
import { requireScopes } from './bearer.ts';
import { chargeObjects } from './cost.ts';
import { jiraCall } from './jira-gate.ts';
import { intParam, query } from './write-helpers.ts';

/** GET field (system and custom fields) and the project list. */
export function registerMetadataRoutes(app: FastifyInstance, _ctx: SimContext): void {
  app.get('/field', async (request, reply) => {
    const { caller } = jiraCall(request);
    if (!requireScopes(caller, reply, 'read:jira-work')) return reply;
    chargeObjects(request, fieldDefs.length);
    return fieldDefs.map((f) => ({
      id: f.id,
      key: f.id,
      name: f.name,
      custom: f.custom,
      orderable: f.id !== 'created' && f.id !== 'updated' && f.id !== 'creator',
      navigable: f.navigable,
      searchable: true,
      clauseNames: f.clauseNames,
      schema: f.schema.type === 'comments-page' ? { type: 'comments-page', system: 'comment' } : f.schema,
    }));
  });

  app.get('/project/search', async (request, reply) => {
    const { caller, store, view } = jiraCall(request);
    if (!requireScopes(caller, reply, 'read:jira-work')) return reply;
    const q = query(request);
    const startAt = Math.max(0, intParam(q.startAt, 0));
    const maxResults = Math.min(100, Math.max(1, intParam(q.maxResults, 50)));
    const projects = store.site.projects.slice(startAt, startAt + maxResults);
    chargeObjects(request, projects.length);
    return {
      self: `${view.base}/project/search?startAt=${startAt}&maxResults=${maxResults}`,
      maxResults,
      startAt,
      total: store.site.projects.length,
      isLast: startAt + projects.length >= store.site.projects.length,
      values: projects.map((p) => renderProject(p.id, view)),
    };
  });
}

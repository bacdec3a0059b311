import type { FastifyInstance } from 'fastify';
import type { SimContext } from '../context.ts';
import type { SimIssue } from '../model.ts';
import { renderHistory, renderIssue, selectFields, splitList } from '../render/issue.ts';
import { requireScopes } from './bearer.ts';
import { chargeObjects } from './cost.ts';
import { jiraCall, jiraError } from './jira-gate.ts';
import { findIssue, intParam, query } from './write-helpers.ts';

const MULTI_VALUED = new Set(['comment', 'worklog', 'attachment']);
const HEAVY_EXPANDS = [
  'changelog',
  'editmeta',
  'operations',
  'renderedFields',
  'transitions',
  'versionedRepresentations',
];

/** issue/bulkfetch, the issue changelog page and changelog/bulkfetch. */
export function registerBulkRoutes(app: FastifyInstance, _ctx: SimContext): void {
  app.post('/issue/bulkfetch', async (request, reply) => {
    const { caller, store, view } = jiraCall(request);
    if (!requireScopes(caller, reply, 'read:jira-work')) return reply;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const ids = Array.isArray(body.issueIdsOrKeys) ? body.issueIdsOrKeys.map(String) : [];
    const fieldList = splitList(body.fields);
    const expand = splitList(body.expand);
    // Up to 1000 only with 1-100 explicit single-valued fields and no heavy expands; else 100.
    const light =
      fieldList.length > 0 &&
      fieldList.length <= 100 &&
      !fieldList.some((f) => MULTI_VALUED.has(f) || f.startsWith('*'));
    const limit = light && !expand.some((e) => HEAVY_EXPANDS.includes(e)) ? 1000 : 100;
    if (ids.length === 0) return jiraError(reply, 400, 'issueIdsOrKeys must not be empty.');
    if (ids.length > limit)
      return jiraError(reply, 400, `Too many issues requested: at most ${limit} are allowed.`);
    const properties = splitList(body.properties);
    if (properties.length > 5) return jiraError(reply, 400, 'At most 5 issue properties can be requested.');
    const found = new Map<string, SimIssue>();
    for (const id of ids) {
      const issue = store.find(id);
      if (issue) found.set(issue.id, issue); // missing or invisible issues are silently left out
    }
    const issues = [...found.values()].sort((a, b) => Number(a.id) - Number(b.id));
    chargeObjects(request, issues.length);
    const req = {
      fields: selectFields(fieldList, '*navigable'),
      expand: new Set(expand),
      properties,
      commentCap: 20,
      namesOnIssue: false,
      changelogCap: 40,
    };
    return { issues: issues.map((i) => renderIssue(i, view, req)), issueErrors: [] };
  });

  app.get('/issue/:issueIdOrKey/changelog', async (request, reply) => {
    const found = findIssue(request, reply);
    if (!found || !requireScopes(found.call.caller, reply, 'read:jira-work')) return reply;
    const q = query(request);
    const startAt = Math.max(0, intParam(q.startAt, 0));
    const maxResults = Math.min(100, Math.max(1, intParam(q.maxResults, 100)));
    const all = found.issue.changelog;
    const values = all.slice(startAt, startAt + maxResults);
    chargeObjects(request, values.length);
    const self = `${found.call.view.base}/issue/${found.issue.key}/changelog`;
    const isLast = startAt + values.length >= all.length;
    return {
      self: `${self}?maxResults=${maxResults}&startAt=${startAt}`,
      ...(isLast ? {} : { nextPage: `${self}?maxResults=${maxResults}&startAt=${startAt + values.length}` }),
      maxResults,
      startAt,
      total: all.length,
      isLast,
      values: values.map((h) => renderHistory(h, found.call.view)),
    };
  });

  app.post('/changelog/bulkfetch', async (request, reply) => {
    const { caller, store, view } = jiraCall(request);
    if (!requireScopes(caller, reply, 'read:jira-work')) return reply;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const ids = Array.isArray(body.issueIdsOrKeys) ? body.issueIdsOrKeys.map(String) : [];
    const fieldIds = Array.isArray(body.fieldIds) ? body.fieldIds.map(String) : [];
    if (ids.length === 0 || ids.length > 1000)
      return jiraError(reply, 400, 'issueIdsOrKeys must hold 1 to 1000 issues.');
    if (fieldIds.length > 10) return jiraError(reply, 400, 'fieldIds must hold at most 10 fields.');
    const maxResults = Math.min(
      10_000,
      Math.max(1, typeof body.maxResults === 'number' ? body.maxResults : 1000),
    );
    const offset =
      typeof body.nextPageToken === 'string'
        ? Number(Buffer.from(body.nextPageToken, 'base64url').toString()) || 0
        : 0;
    const issues = ids
      .map((id) => store.find(id))
      .filter((i): i is SimIssue => i !== undefined)
      .sort((a, b) => Number(a.id) - Number(b.id));
    const entries = issues.flatMap((issue) =>
      issue.changelog
        .map((h) =>
          fieldIds.length === 0
            ? h
            : { ...h, items: h.items.filter((i) => fieldIds.includes(i.fieldId ?? i.field)) },
        )
        .filter((h) => h.items.length > 0)
        .map((h) => ({ issueId: issue.id, history: h })),
    );
    const page = entries.slice(offset, offset + maxResults);
    chargeObjects(request, page.length);
    const byIssue = new Map<string, unknown[]>();
    for (const { issueId, history } of page) {
      const list = byIssue.get(issueId) ?? [];
      list.push(renderHistory(history, view));
      byIssue.set(issueId, list);
    }
    const next = offset + page.length;
    return {
      issueChangeLogs: [...byIssue].map(([issueId, changeHistories]) => ({ issueId, changeHistories })),
      ...(next < entries.length ? { nextPageToken: Buffer.from(String(next)).toString('base64url') } : {}),
    };
  });
}

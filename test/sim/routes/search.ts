import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SimContext } from '../context.ts';
import { JqlError } from '../jql/parse.ts';
import { searchIssues } from '../jql/search.ts';
import type { SimIssue } from '../model.ts';
import { fieldNames, fieldSchemas, renderIssue, selectFields, splitList } from '../render/issue.ts';
import { requireScopes } from './bearer.ts';
import { chargeObjects } from './cost.ts';
import { jiraCall, jiraError } from './jira-gate.ts';

/** Enhanced search embeds at most 20 comments per issue. */
const SEARCH_COMMENT_CAP = 20;
const ID_ONLY_MAX = 5000;
const FULL_FIELDS_MAX = 100;

interface SearchParams {
  jql: string;
  nextPageToken: string | undefined;
  maxResults: number | undefined;
  fields: string[];
  expand: string[];
  properties: string[];
  /** Issue ids whose latest state search must show despite the indexing lag (read-after-write). */
  reconcileIssues: string[];
}

/** GET and POST search/jql (enhanced search): no total, no startAt, a nextPageToken until the last page. */
export function registerSearchRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.get('/search/jql', async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    return search(ctx, request, reply, {
      jql: typeof q.jql === 'string' ? q.jql : '',
      nextPageToken:
        typeof q.nextPageToken === 'string' && q.nextPageToken !== '' ? q.nextPageToken : undefined,
      maxResults: q.maxResults === undefined ? undefined : Number(q.maxResults),
      fields: splitList(q.fields),
      expand: splitList(q.expand),
      properties: splitList(q.properties),
      reconcileIssues: splitList(q.reconcileIssues),
    });
  });
  app.post('/search/jql', async (request, reply) => {
    const b = (request.body ?? {}) as Record<string, unknown>;
    return search(ctx, request, reply, {
      jql: typeof b.jql === 'string' ? b.jql : '',
      nextPageToken:
        typeof b.nextPageToken === 'string' && b.nextPageToken !== '' ? b.nextPageToken : undefined,
      maxResults: typeof b.maxResults === 'number' ? b.maxResults : undefined,
      fields: splitList(b.fields),
      expand: splitList(b.expand),
      properties: splitList(b.properties),
      reconcileIssues: Array.isArray(b.reconcileIssues) ? b.reconcileIssues.map(String) : [],
    });
  });
  app.post('/search/approximate-count', async (request, reply) => {
    const b = (request.body ?? {}) as Record<string, unknown>;
    return approximateCount(ctx, request, reply, typeof b.jql === 'string' ? b.jql : '');
  });
}

/**
 * `POST search/approximate-count`: `{ count }` of the issues a bounded JQL matches, as search sees
 * them (recent updates may be missing: the same indexing lag). No objects returned: 1 point.
 */
async function approximateCount(ctx: SimContext, request: FastifyRequest, reply: FastifyReply, jql: string) {
  const { caller, store, user } = jiraCall(request);
  if (!requireScopes(caller, reply, 'read:jira-work')) return reply;
  const env = { store, timeZone: user.timeZone, now: ctx.clock.now(), callerAccountId: user.accountId };
  let count = 0;
  let token: string | undefined;
  try {
    do {
      const page = searchIssues(jql, env, ID_ONLY_MAX, token, visibility(ctx, []));
      count += page.issues.length;
      token = page.nextPageToken;
    } while (token !== undefined);
  } catch (err) {
    if (err instanceof JqlError) return jiraError(reply, 400, err.message);
    throw err;
  }
  return { count };
}

async function search(ctx: SimContext, request: FastifyRequest, reply: FastifyReply, p: SearchParams) {
  const { caller, store, user, view } = jiraCall(request);
  if (!requireScopes(caller, reply, 'read:jira-work')) return reply;
  if (p.maxResults !== undefined && (!Number.isInteger(p.maxResults) || p.maxResults < 0)) {
    return jiraError(reply, 400, "The value of 'maxResults' must be a non-negative integer.");
  }
  if (p.properties.length > 5) return jiraError(reply, 400, 'At most 5 issue properties can be requested.');
  if (p.reconcileIssues.length > 50) return jiraError(reply, 400, 'At most 50 issues can be reconciled.');
  const fields = selectFields(p.fields, 'id');
  const idOnly = [...fields].every((f) => f === 'id' || f === 'key');
  // "returns max 5000 issues, but fewer when many fields are requested": 100 with real fields.
  const maxResults = Math.min(p.maxResults ?? 50, idOnly ? ID_ONLY_MAX : FULL_FIELDS_MAX);
  let page: ReturnType<typeof searchIssues>;
  try {
    page = searchIssues(
      p.jql,
      { store, timeZone: user.timeZone, now: ctx.clock.now(), callerAccountId: user.accountId },
      maxResults,
      p.nextPageToken,
      visibility(ctx, p.reconcileIssues),
    );
  } catch (err) {
    if (err instanceof JqlError) return jiraError(reply, 400, err.message);
    throw err;
  }
  chargeObjects(request, page.issues.length);
  const expand = new Set(p.expand);
  const req = {
    fields,
    expand,
    properties: p.properties,
    commentCap: SEARCH_COMMENT_CAP,
    namesOnIssue: false,
    changelogCap: SEARCH_COMMENT_CAP,
  };
  const body: Record<string, unknown> = { issues: page.issues.map((issue) => renderIssue(issue, view, req)) };
  if (page.nextPageToken) body.nextPageToken = page.nextPageToken;
  body.isLast = page.nextPageToken === undefined;
  if (expand.has('names')) body.names = fieldNames(fields);
  if (expand.has('schema')) body.schema = fieldSchemas(fields);
  return body;
}

/** Search lags behind writes (Atlassian: seconds to minutes) except for the issues named to reconcile. */
function visibility(ctx: SimContext, reconcile: string[]): ((issue: SimIssue) => boolean) | undefined {
  const lag = ctx.options.searchLagMs;
  if (lag <= 0) return undefined;
  const ids = new Set(reconcile);
  const cutoff = ctx.clock.now() - lag;
  return (issue) => issue.updated <= cutoff || ids.has(issue.id);
}

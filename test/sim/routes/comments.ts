import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SimContext } from '../context.ts';
import type { SimComment, SimIssue } from '../model.ts';
import { renderComment } from '../render/comment.ts';
import { splitList } from '../render/issue.ts';
import { isAdfDoc } from '../state/adf.ts';
import { checkProperties, type EntityProperty } from '../state/write-types.ts';
import { requireScopes } from './bearer.ts';
import { chargeObjects } from './cost.ts';
import { type JiraCall, jiraCall, jiraError } from './jira-gate.ts';
import { allowIssueWrite, findIssue, intParam, query } from './write-helpers.ts';

const COMMENT_NOT_FOUND = 'Can not find a comment for the id.';
const ORDERS: Record<string, number> = { created: 1, '+created': 1, '-created': -1 };

/** Comment pages, create/edit/delete with ADF bodies, and comment/list. */
export function registerCommentRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.get('/issue/:issueIdOrKey/comment', async (request, reply) => {
    const found = findIssue(request, reply);
    if (!found || !requireScopes(found.call.caller, reply, 'read:jira-work')) return reply;
    const q = query(request);
    const direction = ORDERS[q.orderBy ?? 'created'];
    if (direction === undefined)
      return jiraError(
        reply,
        400,
        `Invalid orderBy value: ${q.orderBy}. Valid values are created, -created, +created.`,
      );
    const startAt = Math.max(0, intParam(q.startAt, 0));
    const maxResults = Math.min(100, Math.max(0, intParam(q.maxResults, 100)));
    const ordered = [...found.issue.comments].sort(
      (a, b) => (a.created - b.created || Number(a.id) - Number(b.id)) * direction,
    );
    const page = ordered.slice(startAt, startAt + maxResults);
    chargeObjects(request, page.length);
    const expand = splitList(q.expand);
    return {
      comments: page.map((c) => render(found.call, found.issue, c, expand)),
      maxResults,
      total: ordered.length,
      startAt,
    };
  });

  app.post('/issue/:issueIdOrKey/comment', async (request, reply) => {
    const found = findIssue(request, reply);
    if (!found || !requireScopes(found.call.caller, reply, 'write:jira-work')) return reply;
    const body = readBody(request, reply);
    if (!body || !allowIssueWrite(ctx, found.call, found.issue, reply)) return reply;
    const comment = ctx.mutations.addComment(
      found.call.store,
      found.issue,
      found.call.user.accountId,
      body.doc,
      body.properties,
    );
    return reply.code(201).send(render(found.call, found.issue, comment, splitList(query(request).expand)));
  });

  app.get('/issue/:issueIdOrKey/comment/:commentId', async (request, reply) => {
    const found = findComment(request, reply);
    if (!found || !requireScopes(found.call.caller, reply, 'read:jira-work')) return reply;
    chargeObjects(request, 1);
    return render(found.call, found.issue, found.comment, splitList(query(request).expand));
  });

  app.put('/issue/:issueIdOrKey/comment/:commentId', async (request, reply) => {
    const found = findComment(request, reply);
    if (!found || !requireScopes(found.call.caller, reply, 'write:jira-work')) return reply;
    const body = readBody(request, reply);
    if (!body || !allowIssueWrite(ctx, found.call, found.issue, reply)) return reply;
    ctx.mutations.updateComment(
      found.call.store,
      found.issue,
      found.comment,
      found.call.user.accountId,
      body.doc,
      body.properties,
    );
    return render(found.call, found.issue, found.comment, splitList(query(request).expand));
  });

  app.delete('/issue/:issueIdOrKey/comment/:commentId', async (request, reply) => {
    const found = findComment(request, reply);
    if (!found || !requireScopes(found.call.caller, reply, 'write:jira-work')) return reply;
    if (!allowIssueWrite(ctx, found.call, found.issue, reply)) return reply;
    ctx.mutations.deleteComment(found.call.store, found.issue, found.comment, found.call.user.accountId);
    return reply.code(204).send();
  });

  app.post('/comment/list', async (request, reply) => {
    const call = jiraCall(request);
    if (!requireScopes(call.caller, reply, 'read:jira-work')) return reply;
    const ids = (request.body as { ids?: unknown })?.ids;
    if (!Array.isArray(ids) || ids.length === 0 || new Set(ids).size > 1000) {
      return jiraError(reply, 400, 'Provide between 1 and 1000 comment ids.');
    }
    const expand = splitList(query(request).expand);
    const comments = [...new Set(ids.map(String))]
      .map((id) => call.store.commentsById.get(id))
      .filter((c): c is SimComment => c !== undefined)
      .sort((a, b) => Number(a.id) - Number(b.id));
    chargeObjects(request, comments.length);
    return {
      isLast: true,
      maxResults: 1000,
      startAt: 0,
      total: comments.length,
      values: comments.map((c) => render(call, call.store.byId.get(c.issueId) as SimIssue, c, expand)),
    };
  });
}

function render(call: JiraCall, issue: SimIssue, comment: SimComment, expand: string[]) {
  return renderComment(comment, call.view, {
    issueId: issue.id,
    expandProperties: expand.includes('properties'),
    expandRenderedBody: expand.includes('renderedBody'),
  });
}

function findComment(request: FastifyRequest, reply: FastifyReply) {
  const found = findIssue(request, reply);
  if (!found) return undefined;
  const { commentId } = request.params as { commentId: string };
  const comment = found.issue.comments.find((c) => c.id === commentId);
  if (!comment) {
    jiraError(reply, 404, COMMENT_NOT_FOUND);
    return undefined;
  }
  return { ...found, comment };
}

/** v3 wants an ADF body; a plain string is refused exactly as Jira refuses it. */
function readBody(request: FastifyRequest, reply: FastifyReply) {
  const body = (request.body ?? {}) as { body?: unknown; properties?: EntityProperty[] };
  if (!isAdfDoc(body.body)) {
    reply.code(400).send({ errorMessages: [], errors: { comment: 'Comment body is not valid!' } });
    return undefined;
  }
  const problem = checkProperties(body.properties);
  if (problem) {
    jiraError(reply, 400, problem);
    return undefined;
  }
  return { doc: body.body, properties: body.properties ?? [] };
}

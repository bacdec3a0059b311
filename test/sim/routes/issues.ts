import type { FastifyInstance } from 'fastify';
import type { SimContext } from '../context.ts';
import { renderIssue, renderTransitions, selectFields, splitList } from '../render/issue.ts';
import type { IssueWrite } from '../state/write-types.ts';
import { requireScopes } from './bearer.ts';
import { chargeObjects } from './cost.ts';
import { jiraCall, jiraError } from './jira-gate.ts';
import { allowIssueWrite, findIssue, query, sendWriteErrors } from './write-helpers.ts';

/** Issue create, get, edit (fields, update, properties, historyMetadata), delete and transitions. */
export function registerIssueRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.get('/issue/:issueIdOrKey', async (request, reply) => {
    const found = findIssue(request, reply);
    if (!found || !requireScopes(found.call.caller, reply, 'read:jira-work')) return reply;
    const q = query(request);
    chargeObjects(request, 1);
    return renderIssue(found.issue, found.call.view, {
      fields: selectFields(splitList(q.fields), '*all'),
      expand: new Set(splitList(q.expand)),
      properties: splitList(q.properties),
      commentCap: Number.MAX_SAFE_INTEGER,
      namesOnIssue: true,
      changelogCap: 100,
    });
  });

  app.post('/issue', async (request, reply) => {
    const call = jiraCall(request);
    if (!requireScopes(call.caller, reply, 'write:jira-work')) return reply;
    const result = ctx.mutations.createIssue(
      call.store,
      call.user.accountId,
      (request.body ?? {}) as IssueWrite,
    );
    if (!result.ok) return sendWriteErrors(reply, result);
    const issue = result.value;
    return reply
      .code(201)
      .send({ id: issue.id, key: issue.key, self: `${call.view.base}/issue/${issue.id}` });
  });

  app.put('/issue/:issueIdOrKey', async (request, reply) => {
    const found = findIssue(request, reply);
    if (!found || !requireScopes(found.call.caller, reply, 'write:jira-work')) return reply;
    if (!allowIssueWrite(ctx, found.call, found.issue, reply)) return reply;
    const result = ctx.mutations.editIssue(
      found.call.store,
      found.issue,
      found.call.user.accountId,
      (request.body ?? {}) as IssueWrite,
    );
    if (!result.ok) return sendWriteErrors(reply, result);
    if (query(request).returnIssue === 'true') {
      return renderIssue(found.issue, found.call.view, {
        fields: selectFields([], '*all'),
        expand: new Set(),
        properties: [],
        commentCap: Number.MAX_SAFE_INTEGER,
        namesOnIssue: true,
        changelogCap: 100,
      });
    }
    return reply.code(204).send();
  });

  app.delete('/issue/:issueIdOrKey', async (request, reply) => {
    const found = findIssue(request, reply);
    if (!found || !requireScopes(found.call.caller, reply, 'write:jira-work')) return reply;
    ctx.mutations.deleteIssue(found.call.store, found.issue, found.call.user.accountId);
    return reply.code(204).send();
  });

  app.get('/issue/:issueIdOrKey/transitions', async (request, reply) => {
    const found = findIssue(request, reply);
    if (!found || !requireScopes(found.call.caller, reply, 'read:jira-work')) return reply;
    const list = renderTransitions(found.call.view).filter(
      (t) => (t.to as { id?: string } | null)?.id !== found.issue.statusId,
    );
    chargeObjects(request, list.length);
    return { expand: 'transitions', transitions: list };
  });

  app.post('/issue/:issueIdOrKey/transitions', async (request, reply) => {
    const found = findIssue(request, reply);
    if (!found || !requireScopes(found.call.caller, reply, 'write:jira-work')) return reply;
    if (!allowIssueWrite(ctx, found.call, found.issue, reply)) return reply;
    const body = (request.body ?? {}) as IssueWrite;
    if (body.transition?.id === undefined) return jiraError(reply, 400, 'Missing transition id.');
    const result = ctx.mutations.transition(found.call.store, found.issue, found.call.user.accountId, body);
    if (!result.ok) return sendWriteErrors(reply, result);
    return reply.code(204).send();
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SimContext } from '../context.ts';
import { checkProperties } from '../state/write-types.ts';
import { requireScopes } from './bearer.ts';
import { chargeObjects } from './cost.ts';
import { jiraCall, jiraError } from './jira-gate.ts';
import { allowIssueWrite, findIssue } from './write-helpers.ts';

const missing = (key: string) => `The property with key '${key}' does not exist.`;

/** Issue and comment entity properties (the echo-loop marker of integrations). */
export function registerPropertyRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.get('/issue/:issueIdOrKey/properties', async (request, reply) => {
    const found = findIssue(request, reply);
    if (!found || !requireScopes(found.call.caller, reply, 'read:jira-work')) return reply;
    const base = `${found.call.view.base}/issue/${found.issue.id}/properties`;
    return { keys: [...found.issue.properties.keys()].map((key) => ({ self: `${base}/${key}`, key })) };
  });

  app.get('/issue/:issueIdOrKey/properties/:propertyKey', async (request, reply) => {
    const found = findIssue(request, reply);
    if (!found || !requireScopes(found.call.caller, reply, 'read:jira-work')) return reply;
    const { propertyKey } = request.params as { propertyKey: string };
    if (!found.issue.properties.has(propertyKey)) return jiraError(reply, 404, missing(propertyKey));
    chargeObjects(request, 1);
    return { key: propertyKey, value: found.issue.properties.get(propertyKey) };
  });

  app.put('/issue/:issueIdOrKey/properties/:propertyKey', async (request, reply) => {
    const found = findIssue(request, reply);
    if (!found || !requireScopes(found.call.caller, reply, 'write:jira-work')) return reply;
    const { propertyKey } = request.params as { propertyKey: string };
    if (
      !checkValue(reply, propertyKey, request.body) ||
      !allowIssueWrite(ctx, found.call, found.issue, reply)
    )
      return reply;
    const created = ctx.mutations.setIssueProperty(
      found.call.store,
      found.issue,
      found.call.user.accountId,
      propertyKey,
      request.body,
    );
    return reply.code(created ? 201 : 200).send();
  });

  app.delete('/issue/:issueIdOrKey/properties/:propertyKey', async (request, reply) => {
    const found = findIssue(request, reply);
    if (!found || !requireScopes(found.call.caller, reply, 'write:jira-work')) return reply;
    const { propertyKey } = request.params as { propertyKey: string };
    if (
      !ctx.mutations.deleteIssueProperty(
        found.call.store,
        found.issue,
        found.call.user.accountId,
        propertyKey,
      )
    ) {
      return jiraError(reply, 404, missing(propertyKey));
    }
    return reply.code(204).send();
  });

  app.get('/comment/:commentId/properties/:propertyKey', async (request, reply) => {
    const found = findCommentById(request, reply);
    if (!found) return reply;
    const { propertyKey } = request.params as { propertyKey: string };
    if (!found.has(propertyKey)) return jiraError(reply, 404, missing(propertyKey));
    return { key: propertyKey, value: found.get(propertyKey) };
  });

  app.get('/comment/:commentId/properties', async (request, reply) => {
    const found = findCommentById(request, reply);
    if (!found) return reply;
    const { commentId } = request.params as { commentId: string };
    const base = `${jiraCall(request).view.base}/comment/${commentId}/properties`;
    return { keys: [...found.keys()].map((key) => ({ self: `${base}/${key}`, key })) };
  });

  app.delete('/comment/:commentId/properties/:propertyKey', async (request, reply) => {
    const found = findCommentById(request, reply, 'write:jira-work');
    if (!found) return reply;
    const { propertyKey } = request.params as { propertyKey: string };
    if (!found.delete(propertyKey)) return jiraError(reply, 404, missing(propertyKey));
    return reply.code(204).send();
  });

  app.put('/comment/:commentId/properties/:propertyKey', async (request, reply) => {
    const found = findCommentById(request, reply, 'write:jira-work');
    if (!found) return reply;
    const { propertyKey } = request.params as { propertyKey: string };
    if (!checkValue(reply, propertyKey, request.body)) return reply;
    const created = !found.has(propertyKey);
    found.set(propertyKey, request.body);
    return reply.code(created ? 201 : 200).send();
  });
}

function checkValue(reply: FastifyReply, key: string, value: unknown): boolean {
  const problem = checkProperties([{ key, value }]);
  if (problem) jiraError(reply, 400, problem);
  return problem === undefined;
}

function findCommentById(request: FastifyRequest, reply: FastifyReply, scope = 'read:jira-work') {
  const call = jiraCall(request);
  if (!requireScopes(call.caller, reply, scope)) return undefined;
  const { commentId } = request.params as { commentId: string };
  const comment = call.store.commentsById.get(commentId);
  if (!comment) {
    jiraError(reply, 404, 'Can not find a comment for the id.');
    return undefined;
  }
  return comment.properties;
}

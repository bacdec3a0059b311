import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SimContext } from '../context.ts';
import type { SimIssue } from '../model.ts';
import type { WriteResult } from '../state/write-types.ts';
import { sendLimited } from './gates.ts';
import { type JiraCall, jiraCall, jiraError } from './jira-gate.ts';

const ISSUE_NOT_FOUND = 'Issue does not exist or you do not have permission to see it.';

/** The issue named in the path, or a 404 sent. */
export function findIssue(
  request: FastifyRequest,
  reply: FastifyReply,
): { call: JiraCall; issue: SimIssue } | undefined {
  const call = jiraCall(request);
  const { issueIdOrKey } = request.params as { issueIdOrKey: string };
  const issue = call.store.find(issueIdOrKey);
  if (!issue) {
    jiraError(reply, 404, ISSUE_NOT_FOUND);
    return undefined;
  }
  return { call, issue };
}

/** Per-issue write limits (20 per 2 s, 100 per 30 s); false when a 429 was sent. */
export function allowIssueWrite(
  ctx: SimContext,
  call: JiraCall,
  issue: SimIssue,
  reply: FastifyReply,
): boolean {
  const verdict = ctx.limiter.checkIssueWrite(ctx.clock.now(), call.store.site.cloudId, issue.id);
  if (!verdict) return true;
  sendLimited(reply, verdict);
  return false;
}

export function sendWriteErrors(reply: FastifyReply, result: Extract<WriteResult<unknown>, { ok: false }>) {
  return reply.code(400).send({ errorMessages: result.errorMessages, errors: result.errors });
}

export function query(request: FastifyRequest): Record<string, string | undefined> {
  return request.query as Record<string, string | undefined>;
}

export function intParam(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value === undefined || value === '' || !Number.isFinite(n) ? fallback : Math.floor(n);
}

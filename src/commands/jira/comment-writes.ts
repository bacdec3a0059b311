import { z } from 'zod';
import type { JiraClient } from '../../atlassian/jira/jira-client.ts';
import { JiraHttpError } from '../../atlassian/jira/jira-http-error.ts';
import type { AdfDocument } from '../contract/adf-document.ts';
import { parseJiraAnswer, segment } from './jira-answer.ts';
import { findOwnComment } from './own-comment-lookup.ts';
import { originProperties, type WriteOrigin } from './write-origin.ts';

/** A `jira.comment.create` command, its body already ADF. */
export interface CreateCommentInput {
  /** Issue key or id. */
  readonly issue: string;
  readonly body: AdfDocument;
  readonly origin: WriteOrigin;
  /** An earlier attempt may have reached Jira (timeout, dropped connection, killed worker). */
  readonly mayHaveWritten: boolean;
  /** Newest comments of the issue searched for that attempt's comment; default 20. */
  readonly recentComments?: number;
}

const commentAnswer = z.object({ id: z.string(), updated: z.string().optional() });

/**
 * Adds a comment with the origin marker as a comment property in the same request (`POST
 * issue/{issue}/comment`, never retried by the client). With `mayHaveWritten`, it first looks for
 * the comment an earlier attempt of the same command added and returns it (`created: false`).
 */
export async function createComment(
  client: JiraClient,
  input: CreateCommentInput,
): Promise<{ id: string; created: boolean; updated?: string }> {
  if (input.mayHaveWritten) {
    const earlier = await findOwnComment(client, input.issue, input.origin.commandId, input.recentComments);
    if (earlier !== undefined) return { id: earlier, created: false };
  }
  const body = await client.request<unknown>({
    method: 'POST',
    path: `issue/${segment(input.issue)}/comment`,
    json: { body: input.body, properties: originProperties(input.origin) },
    idempotent: false,
    routeClass: 'issue-comments',
    estimatedCost: 1,
  });
  const answer = parseJiraAnswer(commentAnswer, body, 'POST comment');
  return {
    id: answer.id,
    created: true,
    ...(answer.updated === undefined ? {} : { updated: answer.updated }),
  };
}

/** A `jira.comment.update` command, its body already ADF. */
export interface UpdateCommentInput {
  readonly issue: string;
  readonly commentId: string;
  readonly body: AdfDocument;
  readonly origin: WriteOrigin;
}

/**
 * Replaces a comment's body and sets the origin marker on it in the same request (`PUT
 * issue/{issue}/comment/{id}`); the same body twice gives the same comment, so it may be retried.
 */
export async function updateComment(
  client: JiraClient,
  input: UpdateCommentInput,
): Promise<{ id: string; updated: string | undefined }> {
  const body = await client.request<unknown>({
    method: 'PUT',
    path: `issue/${segment(input.issue)}/comment/${segment(input.commentId)}`,
    json: { body: input.body, properties: originProperties(input.origin) },
    idempotent: true,
    routeClass: 'issue-comment',
    estimatedCost: 1,
  });
  const comment = parseJiraAnswer(commentAnswer, body, 'PUT comment');
  return { id: comment.id, updated: comment.updated };
}

/**
 * Deletes a comment (`DELETE issue/{issue}/comment/{id}`, retried by the client). A 404 counts as
 * done (`alreadyGone`): an earlier attempt, or someone else, deleted it; Jira answers the same 404
 * when the issue itself is gone or not visible.
 */
export async function deleteComment(
  client: JiraClient,
  input: { readonly issue: string; readonly commentId: string },
): Promise<{ deleted: true; alreadyGone: boolean }> {
  try {
    await client.request({
      method: 'DELETE',
      path: `issue/${segment(input.issue)}/comment/${segment(input.commentId)}`,
      idempotent: true,
      routeClass: 'issue-comment',
      estimatedCost: 1,
    });
    return { deleted: true, alreadyGone: false };
  } catch (err) {
    if (err instanceof JiraHttpError && err.status === 404) return { deleted: true, alreadyGone: true };
    throw err;
  }
}

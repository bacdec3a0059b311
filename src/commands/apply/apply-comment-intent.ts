import type { JiraIntent } from '../../../connectors/jira-intent.ts';
import { richTextToText } from '../../atlassian/text/rich-text.ts';
import { epochMs } from '../../normalize/jira-fields.ts';
import { textToAdf } from '../contract/text-to-adf.ts';
import { createComment, deleteComment, updateComment } from '../jira/comment-writes.ts';
import { readIssueVersion } from '../jira/issue-version.ts';
import { pendingWrite, type WriteContext, type WriteResult } from './write-context.ts';

type CommentIntent = Extract<JiraIntent, { kind: 'create-comment' | 'update-comment' | 'delete-comment' }>;

/**
 * A comment written once: its issue is read first (pending writes are kept per issue id), the write
 * is recorded as pending with the text Jira will show (so its webhook is known before Jira's answer
 * gives the comment id), then made; a create retried after an unknown outcome finds its comment by
 * the origin property before it writes again.
 */
export async function applyCommentIntent(ctx: WriteContext, intent: CommentIntent): Promise<WriteResult> {
  const now = await readIssueVersion(ctx.client, intent.issue);
  const issue = { id: now.id, key: now.key };
  const site = ctx.command.siteHost;
  if (intent.kind === 'delete-comment') {
    const write = pendingWrite(ctx, {
      kind: 'comment-delete',
      issueId: now.id,
      commentId: intent.commentId,
      fields: [],
    });
    await ctx.writes.record(site, write);
    const gone = await deleteComment(ctx.client, { issue: now.id, commentId: intent.commentId });
    await ctx.writes.record(site, { ...write, doneAt: ctx.now() });
    return { status: 'applied', issue, jira: { commentId: intent.commentId, alreadyGone: gone.alreadyGone } };
  }
  const body = textToAdf(intent.body.text, intent.body.format);
  const bodyText = richTextToText(body) ?? '';
  if (intent.kind === 'update-comment') {
    const write = pendingWrite(ctx, {
      kind: 'comment-edit',
      issueId: now.id,
      commentId: intent.commentId,
      bodyText,
      fields: [],
    });
    await ctx.writes.record(site, write);
    const updated = await updateComment(ctx.client, {
      issue: now.id,
      commentId: intent.commentId,
      body,
      origin: ctx.origin,
    });
    const resultVersion = updated.updated === undefined ? undefined : epochMs(updated.updated);
    await ctx.writes.record(site, {
      ...write,
      doneAt: ctx.now(),
      ...(resultVersion === undefined ? {} : { resultVersion }),
    });
    return {
      status: 'applied',
      issue,
      jira: { commentId: intent.commentId, ...(updated.updated ? { updated: updated.updated } : {}) },
    };
  }
  const write = pendingWrite(ctx, { kind: 'comment-create', issueId: now.id, bodyText, fields: [] });
  await ctx.writes.record(site, write);
  const created = await createComment(ctx.client, {
    issue: now.id,
    body,
    origin: ctx.origin,
    mayHaveWritten: ctx.mayHaveWritten,
  });
  // Jira's `updated` of the new comment is also its issue's new `updated`: both echoes match exactly.
  const resultVersion = created.updated === undefined ? undefined : epochMs(created.updated);
  await ctx.writes.record(site, {
    ...write,
    commentId: created.id,
    doneAt: ctx.now(),
    ...(resultVersion === undefined ? {} : { resultVersion }),
  });
  return { status: 'applied', issue, jira: { commentId: created.id, created: created.created } };
}

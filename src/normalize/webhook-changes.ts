import type {
  ChangelogItem,
  CommentChange,
  IssueChange,
  JiraChange,
  SiteRef,
} from '../../connectors/jira-change.ts';
import { commentSnapshotFrom } from './comment-snapshot.ts';
import { issueSnapshotFrom } from './issue-snapshot.ts';
import {
  entityId,
  epochMs,
  issueKey,
  type Json,
  mentionsFrom,
  type RichTextOptions,
  record,
  text,
} from './jira-fields.ts';

export type NormalizeOutcome =
  | { readonly kind: 'changes'; readonly changes: readonly JiraChange[] }
  | { readonly kind: 'skip'; readonly reason: string };

export interface DeliveryContext {
  readonly site: SiteRef;
  /** Epoch ms the relay accepted the delivery: the version of a deletion. */
  readonly receivedAt: number;
  readonly markdown: boolean;
}

/**
 * A webhook body as JiraChange records, without calling Jira. The version of an entity is its own
 * `updated`, so a poll of the same change yields the same version; the delivery `timestamp` only
 * stands in where the entity has none, and deletions are versioned by the delivery time.
 */
export function changesFromWebhook(body: Json, ctx: DeliveryContext): NormalizeOutcome {
  const event = text(body.webhookEvent) ?? '';
  const opts: RichTextOptions = {
    markdown: ctx.markdown,
    mentions: mentionsFrom(
      body.user,
      record(body.comment)?.author,
      record(body.comment)?.updateAuthor,
      record(record(body.issue)?.fields)?.assignee,
      record(record(body.issue)?.fields)?.reporter,
    ),
  };
  if (event.startsWith('jira:issue_')) return issueChange(body, event, ctx, opts);
  if (event.startsWith('comment_')) return commentChange(body, event, ctx, opts);
  return { kind: 'skip', reason: `unhandled event ${event || '(none)'}` };
}

function issueChange(
  body: Json,
  event: string,
  ctx: DeliveryContext,
  opts: RichTextOptions,
): NormalizeOutcome {
  const issue = issueSnapshotFrom(body.issue, opts);
  if (!issue) return { kind: 'skip', reason: 'issue without id or key' };
  const deleted = event === 'jira:issue_deleted';
  const changelog = changelogFrom(body.changelog);
  const keyItem = changelog.find((item) => item.field === 'Key' && item.fromString);
  const base = {
    entity: 'issue' as const,
    site: ctx.site,
    issue,
    changelog,
    source: 'webhook' as const,
    observedAt: ctx.receivedAt,
    version: deleted ? deletionVersion(body, ctx) : entityVersion(issue.updated, body, ctx),
  };
  const change: IssueChange = deleted
    ? { ...base, kind: 'deleted' }
    : keyItem?.fromString
      ? { ...base, kind: 'moved', previousKey: keyItem.fromString }
      : { ...base, kind: event === 'jira:issue_created' ? 'created' : 'updated' };
  const commentGone = issueCommentDeletion(body, event, ctx, opts);
  return { kind: 'changes', changes: commentGone ? [change, commentGone] : [change] };
}

/**
 * Deleting a comment also raises `jira:issue_updated` with `issue_event_type_name:
 * issue_comment_deleted`, carrying the deleted comment: a deletion in its own right, not only the
 * issue's new `updated`, so the comment's tombstone does not hang on `comment_deleted` alone.
 */
function issueCommentDeletion(
  body: Json,
  event: string,
  ctx: DeliveryContext,
  opts: RichTextOptions,
): CommentChange | undefined {
  if (event !== 'jira:issue_updated' || body.issue_event_type_name !== 'issue_comment_deleted') {
    return undefined;
  }
  const change = commentChangeFrom(body, 'comment_deleted', ctx, opts);
  return typeof change === 'string' ? undefined : change;
}

function commentChange(
  body: Json,
  event: string,
  ctx: DeliveryContext,
  opts: RichTextOptions,
): NormalizeOutcome {
  const change = commentChangeFrom(body, event, ctx, opts);
  return typeof change === 'string'
    ? { kind: 'skip', reason: change }
    : { kind: 'changes', changes: [change] };
}

/** The comment change a body carries, or why it carries none. */
function commentChangeFrom(
  body: Json,
  event: string,
  ctx: DeliveryContext,
  opts: RichTextOptions,
): CommentChange | string {
  const issue = trimmedIssue(body.issue) ?? issueFromCommentSelf(body.comment);
  if (!issue) return 'comment event without its issue';
  const comment = commentSnapshotFrom(body.comment, issue.id, opts);
  if (!comment) return 'comment without id';
  const kind = event === 'comment_created' ? 'created' : event === 'comment_deleted' ? 'deleted' : 'updated';
  return {
    entity: 'comment',
    kind,
    site: ctx.site,
    comment,
    issue,
    source: 'webhook',
    observedAt: ctx.receivedAt,
    version: kind === 'deleted' ? deletionVersion(body, ctx) : entityVersion(comment.updated, body, ctx),
  };
}

function entityVersion(updated: string, body: Json, ctx: DeliveryContext): number {
  return epochMs(updated) ?? deliveryTimestamp(body) ?? ctx.receivedAt;
}

/** Deletions carry no `updated` of their own: Jira's delivery timestamp, else our receipt time. */
function deletionVersion(body: Json, ctx: DeliveryContext): number {
  return deliveryTimestamp(body) ?? ctx.receivedAt;
}

function deliveryTimestamp(body: Json): number | undefined {
  return typeof body.timestamp === 'number' && Number.isFinite(body.timestamp) ? body.timestamp : undefined;
}

function changelogFrom(value: unknown): ChangelogItem[] {
  const items = record(value)?.items;
  if (!Array.isArray(items)) return [];
  return items.flatMap((raw) => {
    const item = record(raw);
    const field = text(item?.field);
    if (!item || !field) return [];
    const fieldId = text(item.fieldId);
    return [
      {
        field,
        ...(fieldId === undefined ? {} : { fieldId }),
        from: text(item.from) ?? null,
        fromString: text(item.fromString) ?? null,
        to: text(item.to) ?? null,
        toString: text(item.toString) ?? null,
      },
    ];
  });
}

/** The trimmed issue of a comment event: id, key and what little else it carries. */
function trimmedIssue(value: unknown): CommentChange['issue'] | undefined {
  const issue = record(value);
  const id = entityId(issue?.id);
  const key = issueKey(issue?.key);
  if (!id || !key) return undefined;
  const fields = record(issue?.fields);
  const summary = text(fields?.summary);
  const projectKey = text(record(fields?.project)?.key);
  const issueType = text(record(fields?.issuetype)?.name);
  return {
    id,
    key,
    ...(summary === undefined ? {} : { summary }),
    ...(projectKey === undefined ? {} : { projectKey }),
    ...(issueType === undefined ? {} : { issueType }),
  };
}

/** Comment events without an issue still name it in `comment.self` (`.../issue/10040/comment/1`). */
function issueFromCommentSelf(value: unknown): CommentChange['issue'] | undefined {
  const self = text(record(value)?.self);
  const id = self ? /\/issue\/(\d+)\/comment\//.exec(self)?.[1] : undefined;
  return id ? { id, key: id } : undefined;
}

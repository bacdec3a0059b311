import type {
  CommentChange,
  IssueChange,
  IssueSnapshot,
  JiraChange,
} from '../../../connectors/jira-change.ts';
import type { PendingWrite } from './pending-write.ts';

/** Jira's `updated` and the relay's clock may disagree by this much. */
const clockSkewMs = 5000;
/** After Jira answered a comment write, the issue change it causes (no field changed) comes within this. */
const commentSideEffectMs = 5000;

/**
 * The pending write a change is the echo of, or null. Matching is by content, not by time alone or
 * by author (3LO writes act as the consenting user):
 * - when Jira told the write's resulting version, only that exact version is its echo (a later human
 *   edit has a later version, and is published normally);
 * - while the write is in flight (no answer yet), a change at or after its start is its echo only if
 *   every field it changed is one the write set (the webhook's changelog; for a poll, the difference
 *   from the last committed snapshot), or, for a comment, only if its text is the written text.
 */
export function matchEcho(
  change: JiraChange,
  writes: readonly PendingWrite[],
  previous: IssueSnapshot | null,
): PendingWrite | null {
  for (const write of writes) {
    const hit = change.entity === 'comment' ? commentEcho(change, write) : issueEcho(change, write, previous);
    if (hit) return write;
  }
  return null;
}

function commentEcho(change: CommentChange, write: PendingWrite): boolean {
  if (write.issueId !== null && write.issueId !== change.issue.id) return false;
  const expected = { created: 'comment-create', updated: 'comment-edit', deleted: 'comment-delete' }[
    change.kind
  ];
  if (write.kind !== expected) return false;
  if (change.kind === 'deleted') return write.commentId === change.comment.id;
  if (write.commentId !== undefined) {
    if (write.commentId !== change.comment.id) return false;
    return write.resultVersion === undefined
      ? afterStart(change.version, write)
      : change.version === write.resultVersion;
  }
  return afterStart(change.version, write) && sameText(change.comment.body, write.bodyText);
}

function issueEcho(change: IssueChange, write: PendingWrite, previous: IssueSnapshot | null): boolean {
  if (change.kind === 'deleted') return false;
  if (change.kind === 'created') return createEcho(change, write);
  if (write.issueId !== change.issue.id || write.kind === 'issue-create') return false;
  if (write.kind !== 'issue-edit') return commentSideEffect(change, write, previous);
  if (write.resultVersion !== undefined) return change.version === write.resultVersion;
  const touched = touchedFields(change, previous);
  return afterStart(change.version, write) && (touched?.every((f) => write.fields.includes(f)) ?? false);
}

function createEcho(change: IssueChange, write: PendingWrite): boolean {
  if (write.kind !== 'issue-create') return false;
  if (write.issueId !== null) return write.issueId === change.issue.id;
  return (
    afterStart(change.version, write) &&
    write.projectKey === change.issue.project.key &&
    write.summary === change.issue.summary
  );
}

/**
 * Adding, editing or deleting a comment moves the issue's `updated` without changing a field: to the
 * comment's own `updated` when Jira told it (an exact match, so two systems commenting on one issue
 * within seconds each get their own), else within a few seconds of the write.
 */
function commentSideEffect(
  change: IssueChange,
  write: PendingWrite,
  previous: IssueSnapshot | null,
): boolean {
  const touched = touchedFields(change, previous);
  if (touched === null || touched.length > 0) return false;
  if (write.resultVersion !== undefined) return change.version === write.resultVersion;
  if (!afterStart(change.version, write)) return false;
  return write.doneAt === undefined || change.version <= write.doneAt + commentSideEffectMs;
}

function afterStart(version: number, write: PendingWrite): boolean {
  return version >= write.startedAt - clockSkewMs;
}

function sameText(body: string | null | undefined, written: string | undefined): boolean {
  if (written === undefined || body === null || body === undefined) return false;
  return squash(body) === squash(written);
}

function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * The field ids a change touched: the changelog's when it has one, else the difference between the
 * last committed snapshot and this one; null when neither can tell.
 */
function touchedFields(change: IssueChange, previous: IssueSnapshot | null): string[] | null {
  if (change.changelog.length > 0)
    return change.changelog.map((item) => item.fieldId ?? item.field.toLowerCase());
  if (change.source === 'webhook') return [];
  return previous === null ? null : snapshotDiff(previous, change.issue);
}

const compared: ReadonlyArray<readonly [string, (i: IssueSnapshot) => unknown]> = [
  ['summary', (i) => i.summary],
  ['status', (i) => i.status.id],
  ['priority', (i) => i.priority?.id ?? null],
  ['assignee', (i) => i.assignee?.accountId ?? null],
  ['labels', (i) => i.labels],
  ['components', (i) => i.components],
  ['issuetype', (i) => i.issueType.id],
  ['project', (i) => i.project.id],
];

function snapshotDiff(before: IssueSnapshot, after: IssueSnapshot): string[] {
  const out = compared.filter(([, read]) => !same(read(before), read(after))).map(([id]) => id);
  const custom = new Set([...Object.keys(before.customFields), ...Object.keys(after.customFields)]);
  for (const id of custom) if (!same(before.customFields[id], after.customFields[id])) out.push(id);
  return out;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

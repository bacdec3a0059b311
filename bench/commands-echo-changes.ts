/** What the echo accounting matches on: the change a command's write made, and the events showing it. */
import type { ConnectorName, SentCommand } from './commands-mix.ts';
import type { ReadEvent, ReadResult } from './commands-reader.ts';

export const isComment = (c: SentCommand) =>
  c.type.endsWith('note.create') || c.type.endsWith('annotate') || c.type === 'jira.comment.create';
/** A Jira time (`2026-12-05T10:14:00.231+0100`) as the UTC ISO form an event's `ce_time` has. */
const iso = (value: unknown) => {
  const ms =
    typeof value === 'string' ? Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : Number.NaN;
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString();
};

/**
 * The change a command's write made, as events identify it; null when the write changed nothing.
 * Comment ids are per site: a comment is known by its id and its issue (`{siteHost}:{issueId}`).
 */
export type Change =
  | { readonly kind: 'comment'; readonly commentId: string; readonly issue: string }
  | { readonly kind: 'issue'; readonly issue: string; readonly time: string }
  | { readonly kind: 'create'; readonly issue: string };

export function changeOf(c: SentCommand, r: ReadResult): Change | null {
  const issueId = r.issue?.id ?? (r.jira?.id as string | undefined);
  if (r.status !== 'applied' || issueId === undefined) return null;
  const issue = `${c.host}:${issueId}`;
  if (isComment(c)) return { kind: 'comment', commentId: String(r.jira?.commentId), issue };
  if (c.type === 'jira.issue.create') return { kind: 'create', issue };
  if (r.jira?.transitioned === false) return null;
  return { kind: 'issue', issue, time: iso(r.jira?.updated) };
}

/** A version within 10 s after another: close enough that the pipeline may have published it instead. */
export const newerSoon = (time: string, than: string) => {
  const gap = Date.parse(time) - Date.parse(than);
  return gap > 0 && gap < 10_000;
};

/** Whether a connector emits an event for this change (both are unfiltered in this benchmark). */
export function emits(connector: ConnectorName, c: SentCommand, sideEffect: boolean): boolean {
  if (connector === 'crm') return true;
  if (sideEffect) return false;
  if (isComment(c) || c.type === 'jira.issue.create') return true;
  return c.type === 'jira.issue.transition' && c.changesCategory;
}

/** Events by their key, `{siteHost}:{issueId}`. */
export type ByIssue = ReadonlyMap<string, readonly ReadEvent[]>;

export function byIssue(events: readonly ReadEvent[]): ByIssue {
  const out = new Map<string, ReadEvent[]>();
  for (const e of events) {
    const list = out.get(e.key);
    if (list) list.push(e);
    else out.set(e.key, [e]);
  }
  return out;
}

export function matches(index: ByIssue, change: Change): readonly ReadEvent[] {
  return (index.get(change.issue) ?? []).filter((e) =>
    change.kind === 'comment'
      ? e.commentId === change.commentId && e.key === change.issue
      : e.key === change.issue &&
        e.commentId === undefined &&
        (change.kind === 'create' || e.time === change.time),
  );
}

import type { JiraChange, ReplayMarker } from '../../connectors/jira-change.ts';
import type { JiraClient } from '../atlassian/jira/jira-client.ts';
import type { JiraIssue } from '../atlassian/jira/jira-search.ts';
import {
  commentChangesOf,
  embeddedComments,
  issueChangeOf,
  type SyncedIssue,
  type SyncStamp,
  syncedIssue,
} from '../normalize/polled-changes.ts';
import { mapLimit } from '../pipeline/map-limit.ts';
import type { ReplayRequest } from '../state/replay-checkpoints.ts';
import { allComments, type PageResult, type PageSyncDeps } from './page-sync.ts';

/**
 * One page of searched issues into the pipeline as replays: every issue's current version, and
 * every comment of it updated inside the window, each marked `replay` so the pipeline re-emits it
 * whatever the relay published or knows (pipeline/process-change.ts). Nothing is compared with the
 * known sets and nothing is written to them: a replay reads what a backfill reads (the page, and
 * the comments past the 20 embedded ones) and changes no state but its own checkpoint.
 */
export async function replayIssuePage(
  client: JiraClient,
  page: readonly JiraIssue[],
  stamp: SyncStamp,
  request: ReplayRequest,
  deps: PageSyncDeps,
): Promise<PageResult> {
  const replay: ReplayMarker = { connectors: request.connectors };
  const issues = page.flatMap((raw) => syncedIssue(raw, stamp) ?? []);
  const changes: JiraChange[] = issues.flatMap((i) => issueChangeOf(i, undefined, stamp) ?? []);
  const comments = await mapLimit(issues, deps.commentConcurrency, (issue) =>
    commentsOf(client, issue, stamp, deps),
  );
  const inWindow = comments.flat().filter((c) => c.version >= request.from && c.version <= request.to);
  const replayed = [...changes, ...inWindow].map((change) => ({ ...change, replay }));
  await deps.changes.submit(replayed);
  const lastIssue = issues.at(-1);
  return {
    issues: page.length,
    changes: replayed.length,
    last: lastIssue ? { updated: lastIssue.version, id: lastIssue.snapshot.id } : null,
  };
}

/** Every comment of the issue as a change (nothing is known to a replay, so none is skipped). */
async function commentsOf(
  client: JiraClient,
  issue: SyncedIssue,
  stamp: SyncStamp,
  deps: PageSyncDeps,
): Promise<JiraChange[]> {
  const embedded = embeddedComments(issue.raw);
  if (!embedded) return [];
  const all = embedded.complete
    ? embedded.comments
    : await allComments(client, issue.snapshot.id, embedded.total, deps);
  if (!all) return [];
  return commentChangesOf(issue, all, new Map(), stamp).changes;
}

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
  const reads = await mapLimit(issues, deps.commentConcurrency, (issue) =>
    commentsOf(client, issue, stamp, deps),
  );
  const inWindow = reads
    .flatMap((r) => r.changes)
    .filter((c) => c.version >= request.from && c.version <= request.to);
  const replayed = [...changes, ...inWindow].map((change) => ({ ...change, replay }));
  await deps.changes.submit(replayed);
  const lastIssue = issues.at(-1);
  return {
    issues: page.length,
    changes: replayed.length,
    commentPoints: reads.reduce((sum, r) => sum + r.points, 0),
    last: lastIssue ? { updated: lastIssue.version, id: lastIssue.snapshot.id } : null,
  };
}

/**
 * Every comment of the issue as a change (nothing is known to a replay, so none is skipped), and
 * the points the comment pages past the embedded ones cost.
 */
async function commentsOf(
  client: JiraClient,
  issue: SyncedIssue,
  stamp: SyncStamp,
  deps: PageSyncDeps,
): Promise<{ changes: JiraChange[]; points: number }> {
  const embedded = embeddedComments(issue.raw);
  if (!embedded) return { changes: [], points: 0 };
  const { comments, points } = embedded.complete
    ? { comments: embedded.comments, points: 0 }
    : await allComments(client, issue.snapshot.id, embedded.total, deps);
  if (!comments) return { changes: [], points };
  return { changes: commentChangesOf(issue, comments, new Map(), stamp).changes, points };
}

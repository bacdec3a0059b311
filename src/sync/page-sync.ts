import { issueIdOf, type JiraChange } from '../../connectors/jira-change.ts';
import type { RedisJiraBudget } from '../atlassian/budget/redis-jira-budget.ts';
import type { JiraClient } from '../atlassian/jira/jira-client.ts';
import { JiraHttpError } from '../atlassian/jira/jira-http-error.ts';
import { issueCommentPages, type JiraComment, type PageSizes } from '../atlassian/jira/jira-reads.ts';
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
import type { RedisWebhookCoverage } from '../state/coverage.ts';
import type { RedisKnownEntities } from '../state/known-entities.ts';

/** Where sync hands its changes; resolves once each is published or durably queued. */
interface ChangeSink {
  submit(changes: readonly JiraChange[]): Promise<void>;
}

/** What every sync pass writes through. */
export interface PageSyncDeps {
  /** Where the pass hands its changes. */
  readonly changes: ChangeSink;
  /**
   * Written by the pipeline once a change is published (pipeline/after-publish.ts); a poll writes
   * only the issue versions it verified a webhook published (see `syncIssuePage`).
   */
  readonly known: Pick<RedisKnownEntities, 'issues' | 'comments' | 'rememberIssue'>;
  readonly coverage: RedisWebhookCoverage;
  readonly budget: Pick<RedisJiraBudget, 'settle'>;
  readonly sizes: PageSizes;
  /** SYNC_COMMENT_FETCH_CONCURRENCY. */
  readonly commentConcurrency: number;
}

export interface PageResult {
  readonly issues: number;
  /** Changes queued (new versions of issues and comments, comment deletions). */
  readonly changes: number;
  /** Points charged for comment lists read past the embedded ones: 1 per page plus 1 per comment. */
  readonly commentPoints: number;
  /** The last issue of the page in the scan order (updated, id). */
  readonly last: { readonly updated: number; readonly id: string } | null;
}

/** One issue's comment changes, and what reading its comment list took. */
interface CommentRead {
  readonly changes: JiraChange[];
  /** The complete list was read and diffed: not when the search embedded none, or the issue went away. */
  readonly complete: boolean;
  readonly points: number;
}

/**
 * One page of searched issues into the change pipeline: versions already published are skipped (by
 * id and `updated`); for the others, the complete comment list (fetched past the 20 embedded ones)
 * is diffed against the known one. Changes a webhook already published are not submitted again by
 * a poll. What is known is written by the pipeline once each change is published: a change whose
 * job fails for good stays unknown, and the next read of its issue submits it again. The one write
 * here is a poll's verification of a version a webhook published (`rememberVerified`), and only of
 * an issue none of whose changes this pass submits. The caller moves its cursor after this returns.
 */
export async function syncIssuePage(
  client: JiraClient,
  page: readonly JiraIssue[],
  stamp: SyncStamp,
  deps: PageSyncDeps,
): Promise<PageResult> {
  const site = stamp.site.host;
  const issues = page.flatMap((raw) => syncedIssue(raw, stamp) ?? []);
  const known = await deps.known.issues(
    site,
    issues.map((i) => i.snapshot.id),
  );
  const changed = issues.filter((i) => known.get(i.snapshot.id)?.version !== i.version);
  const changes: JiraChange[] = changed.flatMap(
    (i) => issueChangeOf(i, known.get(i.snapshot.id), stamp) ?? [],
  );
  const reads = await commentChanges(client, changed, stamp, deps);
  changes.push(...reads.flatMap((r) => r.changes));
  const commentPoints = reads.reduce((sum, r) => sum + r.points, 0);
  const queued = stamp.source === 'poll' ? await notQueuedByWebhook(changes, deps) : changes;
  await deps.changes.submit(queued);
  // Only a poll drops changes (as published by webhook), so only a poll can verify an issue.
  if (stamp.source === 'poll') {
    const submitted = new Set(queued.map(issueIdOf));
    const verified = changed.filter((i, n) => reads[n]?.complete && !submitted.has(i.snapshot.id));
    await rememberVerified(site, verified, deps);
  }
  const lastIssue = issues.at(-1);
  return {
    issues: page.length,
    changes: queued.length,
    commentPoints,
    last: lastIssue ? { updated: lastIssue.version, id: lastIssue.snapshot.id } : null,
  };
}

/**
 * The issues a poll verified: every change it found of them (their issue change, any comment
 * change) a webhook had published already, and their comment list was read completely. A webhook's
 * version is known as 0 (pipeline/after-publish.ts), since no webhook reads complete comment lists,
 * so each poll whose overlap covers such an issue read all its comments again to find nothing; this
 * poll did read them, so the version may stand for the polls' dedupe as a poll-published one does.
 * Safe: nothing of these issues from this pass is in flight or unpublished (none was submitted),
 * and versions only move forward. A comment added, edited or deleted after the list was read moves
 * the issue's `updated` past this version, whether or not its webhook came first, so a later poll
 * reads the issue again.
 */
async function rememberVerified(
  site: string,
  verified: readonly SyncedIssue[],
  deps: PageSyncDeps,
): Promise<void> {
  await Promise.all(
    verified.map(({ snapshot, version }) =>
      deps.known.rememberIssue(site, { id: snapshot.id, key: snapshot.key, version }),
    ),
  );
}

async function commentChanges(
  client: JiraClient,
  issues: readonly SyncedIssue[],
  stamp: SyncStamp,
  deps: PageSyncDeps,
): Promise<CommentRead[]> {
  const ids = issues.filter((i) => embeddedComments(i.raw)).map((i) => i.snapshot.id);
  const known = await deps.known.comments(stamp.site.host, ids);
  return mapLimit(issues, deps.commentConcurrency, async (issue): Promise<CommentRead> => {
    const embedded = embeddedComments(issue.raw);
    if (!embedded) return { changes: [], complete: false, points: 0 };
    const { comments, points } = embedded.complete
      ? { comments: embedded.comments, points: 0 }
      : await allComments(client, issue.snapshot.id, embedded.total, deps);
    if (!comments) return { changes: [], complete: false, points };
    const { changes } = commentChangesOf(issue, comments, known.get(issue.snapshot.id) ?? new Map(), stamp);
    return { changes, complete: true, points };
  });
}

/**
 * Every comment of an issue (`total` as the search said), page by page, and the points its pages
 * were charged (also when the issue went away midway: then `comments` is undefined).
 */
export async function allComments(
  client: JiraClient,
  issueId: string,
  total: number,
  deps: PageSyncDeps,
): Promise<{ comments: JiraComment[] | undefined; points: number }> {
  const comments: JiraComment[] = [];
  let points = 0;
  // Pages no larger than the comments there are: the budget charges each page's size up front.
  const sizes = { ...deps.sizes, commentPage: Math.max(1, Math.min(deps.sizes.commentPage, total + 5)) };
  const estimatedCost = 1 + sizes.commentPage;
  try {
    for await (const page of issueCommentPages(client, issueId, sizes)) {
      comments.push(...page);
      await deps.budget.settle({ site: client.connection.siteHost, estimatedCost }, 1 + page.length);
      points += 1 + page.length;
    }
  } catch (err) {
    if (err instanceof JiraHttpError && err.status === 404) return { comments: undefined, points };
    throw err;
  }
  return { comments, points };
}

/** Drops what a webhook delivered and published before this poll saw it, recording the sightings. */
async function notQueuedByWebhook(changes: JiraChange[], deps: PageSyncDeps): Promise<JiraChange[]> {
  const sightings = await deps.coverage.sight('poll', changes);
  return changes.filter((_, i) => sightings[i]?.first !== 'webhook');
}

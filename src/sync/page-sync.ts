import type { JiraChange } from '../../connectors/jira-change.ts';
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
  /** Read only: the pipeline writes it once a change is published (pipeline/after-publish.ts). */
  readonly known: Pick<RedisKnownEntities, 'issues' | 'comments'>;
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
  /** The last issue of the page in the scan order (updated, id). */
  readonly last: { readonly updated: number; readonly id: string } | null;
}

/**
 * One page of searched issues into the change pipeline: versions already published are skipped (by
 * id and `updated`); for the others, the complete comment list (fetched past the 20 embedded ones)
 * is diffed against the known one. Changes a webhook already published are not submitted again by
 * a poll. What is known is written by the pipeline once each change is published, never here: a
 * change whose job fails for good stays unknown, and the next read of its issue submits it again.
 * The caller moves its cursor after this returns.
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
  const comments = await commentChanges(client, changed, stamp, deps);
  changes.push(...comments.flat());
  const queued = stamp.source === 'poll' ? await notQueuedByWebhook(changes, deps) : changes;
  await deps.changes.submit(queued);
  const lastIssue = issues.at(-1);
  return {
    issues: page.length,
    changes: queued.length,
    last: lastIssue ? { updated: lastIssue.version, id: lastIssue.snapshot.id } : null,
  };
}

async function commentChanges(
  client: JiraClient,
  issues: readonly SyncedIssue[],
  stamp: SyncStamp,
  deps: PageSyncDeps,
): Promise<JiraChange[][]> {
  const ids = issues.filter((i) => embeddedComments(i.raw)).map((i) => i.snapshot.id);
  const known = await deps.known.comments(stamp.site.host, ids);
  return mapLimit(issues, deps.commentConcurrency, async (issue) => {
    const embedded = embeddedComments(issue.raw);
    if (!embedded) return [];
    const all = embedded.complete
      ? embedded.comments
      : await allComments(client, issue.snapshot.id, embedded.total, deps);
    if (!all) return [];
    return commentChangesOf(issue, all, known.get(issue.snapshot.id) ?? new Map(), stamp).changes;
  });
}

/** Every comment of an issue (`total` as the search said), page by page; undefined when the issue went away. */
export async function allComments(
  client: JiraClient,
  issueId: string,
  total: number,
  deps: PageSyncDeps,
): Promise<JiraComment[] | undefined> {
  const comments: JiraComment[] = [];
  // Pages no larger than the comments there are: the budget charges each page's size up front.
  const sizes = { ...deps.sizes, commentPage: Math.max(1, Math.min(deps.sizes.commentPage, total + 5)) };
  const estimatedCost = 1 + sizes.commentPage;
  try {
    for await (const page of issueCommentPages(client, issueId, sizes)) {
      comments.push(...page);
      await deps.budget.settle({ site: client.connection.siteHost, estimatedCost }, 1 + page.length);
    }
  } catch (err) {
    if (err instanceof JiraHttpError && err.status === 404) return undefined;
    throw err;
  }
  return comments;
}

/** Drops what a webhook delivered and published before this poll saw it, recording the sightings. */
async function notQueuedByWebhook(changes: JiraChange[], deps: PageSyncDeps): Promise<JiraChange[]> {
  const sightings = await deps.coverage.sight('poll', changes);
  return changes.filter((_, i) => sightings[i]?.first !== 'webhook');
}

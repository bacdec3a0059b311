import type { JiraChange } from '../../connectors/jira-change.ts';
import type { JiraClient } from '../atlassian/jira/jira-client.ts';
import { bulkFetchIssues, fetchCommentsByIds } from '../atlassian/jira/jira-reads.ts';
import { commentDeletion, issueDeletion, type SyncStamp } from '../normalize/polled-changes.ts';
import type { KnownIssue } from '../state/known-entities.ts';
import { settledSearch } from './settled-search.ts';
import { type PageHook, type SyncPassDeps, siteOf } from './sync-deps.ts';
import { projectScope, syncJql } from './sync-scope.ts';

export interface ReconcileOutcome {
  readonly known: number;
  readonly deletedIssues: number;
  readonly deletedComments: number;
  /** Why nothing was scanned, when nothing was. */
  readonly skipped?: 'backfill running' | 'backfill recent';
}

/**
 * Deletions nobody told us about. Search has no tombstones, so the reconcile lists the ids Jira
 * still has (`fields=id`, large pages), diffs them against the issues sync knows, confirms the
 * missing ones with a bulk fetch (search is eventually consistent), and asks `comment/list` which
 * known comments still exist. What is gone goes through the pipeline as deletions, versioned by
 * the time of this reconcile, so the connectors emit their tombstones; the pipeline follows an
 * issue's deletion with its known comments' and forgets each entity once its deletion is out
 * (pipeline/after-publish.ts), so a deletion that fails is found again next time. It waits for a running
 * backfill: until then the known set is partial, and an id scan (a point per issue) would cost a
 * second read of every issue the backfill is about to read once. A finished backfill read every
 * issue that existed when it started, so it stands for a reconcile from then: the next scan waits
 * a full reconcile interval after that start (a reconcile job held back by the backfill's site lease
 * would otherwise scan the whole site the moment the backfill ends).
 */
export async function reconcileSite(
  client: JiraClient,
  deps: SyncPassDeps,
  onPage?: PageHook,
): Promise<ReconcileOutcome> {
  const site = client.connection.siteHost;
  const known = await deps.known.issueCount(site);
  const backfill = await deps.cursors.backfill(client.connection.id);
  if (backfill?.status === 'running') {
    return { known, deletedIssues: 0, deletedComments: 0, skipped: 'backfill running' };
  }
  if (backfill?.status === 'done' && deps.now() - backfill.startedAt < deps.reconcileEveryMs) {
    return { known, deletedIssues: 0, deletedComments: 0, skipped: 'backfill recent' };
  }
  const stamp: SyncStamp = {
    site: siteOf(client),
    source: 'reconcile',
    observedAt: deps.now(),
    markdown: false,
  };
  const { keys: projects } = await projectScope(client, deps.scope);
  if (known === 0 || projects.length === 0) return { known, deletedIssues: 0, deletedComments: 0 };
  // A reconcile starts over each time: its run is its start; the estimate is the issues sync knows.
  const run = String(stamp.observedAt);
  await deps.progress.begin(client.connection.id, 'reconcile', run, stamp.observedAt, async () => known);
  const report: PageHook = async (scanned) => {
    await deps.progress.advance(client.connection.id, 'reconcile', run, Number(scanned.scanned), deps.now());
    await onPage?.(scanned);
  };
  const present = await presentIssues(client, deps, projects, known, report);
  await deps.progress.finish(client.connection.id, 'reconcile', run, present.size, deps.now());
  const gone = await confirmGone(client, deps, await missingIssues(deps, site, present));
  const issueDeletions = await deletionsOf(gone, stamp, deps);
  // Counted before they go: the pipeline forgets them once their deletions are out.
  const cascaded = await commentsOf(deps, site, gone);
  const commentDeletions = await vanishedComments(client, deps, stamp, present);
  await deps.changes.submit([...issueDeletions, ...commentDeletions]);
  return { known, deletedIssues: gone.length, deletedComments: cascaded + commentDeletions.length };
}

/** The ids of every issue Jira still has in the projects (`fields=id`, large pages). */
async function presentIssues(
  client: JiraClient,
  deps: SyncPassDeps,
  projects: readonly string[],
  known: number,
  onPage: PageHook | undefined,
): Promise<Set<string>> {
  const present = new Set<string>();
  const opts = {
    pageSize: Math.min(deps.reconcilePageSize, known + 100),
    maxPages: deps.scope.sizes.maxPages,
    log: deps.log,
  };
  const query = { jql: syncJql(projects, null), fields: ['id'] };
  for await (const page of settledSearch(client, deps.budget, query, opts)) {
    for (const issue of page.issues) present.add(issue.id);
    await onPage?.({ scanned: present.size, known });
  }
  return present;
}

async function missingIssues(deps: SyncPassDeps, site: string, present: ReadonlySet<string>) {
  const missing: Array<[string, KnownIssue]> = [];
  for await (const batch of deps.known.allIssues(site)) {
    for (const entry of batch) if (!present.has(entry[0])) missing.push(entry);
  }
  return missing;
}

/** A bulk fetch of the missing ids: what it still returns was only late in search. */
async function confirmGone(client: JiraClient, deps: SyncPassDeps, missing: Array<[string, KnownIssue]>) {
  if (missing.length === 0) return missing;
  const ids = missing.map(([id]) => id);
  const { issues } = await bulkFetchIssues(client, ids, deps.sizes, { fields: ['updated'] });
  const calls = Math.ceil(ids.length / deps.sizes.bulkFetch);
  await deps.budget.settle(
    { site: client.connection.siteHost, estimatedCost: calls + ids.length },
    calls + issues.length,
  );
  const alive = new Set(issues.map((i) => i.id));
  return missing.filter(([id]) => !alive.has(id));
}

/** Each gone issue as a deletion; the pipeline deletes its known comments after it. */
async function deletionsOf(gone: Array<[string, KnownIssue]>, stamp: SyncStamp, deps: SyncPassDeps) {
  const site = stamp.site.host;
  const changes: JiraChange[] = [];
  for (const [id, known] of gone) {
    changes.push(issueDeletion(stamp, id, known, await deps.entities.issueSnapshot(site, id)));
  }
  return changes;
}

/** How many known comments the gone issues had: their deletions follow the issues'. */
async function commentsOf(deps: SyncPassDeps, site: string, gone: Array<[string, KnownIssue]>) {
  const lists = await deps.known.comments(
    site,
    gone.map(([id]) => id),
  );
  return [...lists.values()].reduce((sum, list) => sum + list.size, 0);
}

/** Known comments of issues that still exist, asked for by id; those not returned are gone. */
async function vanishedComments(
  client: JiraClient,
  deps: SyncPassDeps,
  stamp: SyncStamp,
  present: ReadonlySet<string>,
) {
  const site = stamp.site.host;
  const owners = new Map<string, { id: string; key: string }>();
  for await (const batch of deps.known.allIssues(site)) {
    const alive = batch.filter(([id]) => present.has(id));
    const lists = await deps.known.comments(
      site,
      alive.map(([id]) => id),
    );
    for (const [id, known] of alive) {
      for (const commentId of lists.get(id)?.keys() ?? []) owners.set(commentId, { id, key: known.key });
    }
  }
  const changes: JiraChange[] = [];
  if (owners.size === 0) return changes;
  const ids = [...owners.keys()];
  const found = await fetchCommentsByIds(client, ids);
  const calls = Math.ceil(ids.length / 1000);
  await deps.budget.settle({ site, estimatedCost: calls + ids.length }, calls + found.length);
  const existing = new Set(found.map((c) => c.id));
  for (const [commentId, issue] of owners) {
    if (existing.has(commentId)) continue;
    changes.push(commentDeletion(stamp, issue, commentId, stamp.observedAt));
  }
  return changes;
}

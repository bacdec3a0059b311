import type { JiraClient } from '../atlassian/jira/jira-client.ts';
import type { SyncStamp } from '../normalize/polled-changes.ts';
import { syncIssuePage } from './page-sync.ts';
import { settledSearch } from './settled-search.ts';
import { type PageHook, type SyncPassDeps, siteOf } from './sync-deps.ts';
import { projectScope, syncJql } from './sync-scope.ts';

export interface PollOutcome {
  readonly issues: number;
  readonly changes: number;
  /**
   * Points the poll charged to the Jira budget, as the planner plans with them (`pointsPerPoll`):
   * the search (1 per request, the empty last one included, plus 1 per issue returned), the comment
   * lists read past the embedded ones (1 per page plus 1 per comment), and the project listing
   * when this poll listed the projects (its cache had expired: 1 per page plus 1 per project).
   * 0 when it made no request at all (no project to search); the planner counts at least 1.
   */
  readonly points: number;
  readonly cursor: number;
}

/**
 * One incremental poll of a site: every issue updated since the cursor minus the overlap, in the
 * sync order, through the change pipeline page by page. The cursor is the `updated` (epoch ms) of
 * the last issue queued, at most the poll's start, saved after each page is queued; it starts at
 * the connection's creation, since the backfill covers what came before.
 */
export async function pollSite(
  client: JiraClient,
  deps: SyncPassDeps,
  onPage?: PageHook,
): Promise<PollOutcome> {
  const { connection } = client;
  const startedAt = deps.now();
  const state = await deps.cursors.poll(connection.id);
  const cursor = state.cursor ?? connection.createdAt;
  const projects = await projectScope(client, deps.scope);
  let points = projects.points;
  const charged = (spent: number) => {
    points += spent;
  };
  const stamp: SyncStamp = {
    site: siteOf(client),
    source: 'poll',
    observedAt: startedAt,
    markdown: deps.markdown,
  };
  let issues = 0;
  let changes = 0;
  let last = cursor;
  if (projects.keys.length > 0) {
    const query = {
      jql: syncJql(projects.keys, cursor - deps.overlapMs),
      fields: await deps.fieldsFor(stamp.site.host),
    };
    const opts = { pageSize: deps.searchPageSize, maxPages: deps.scope.sizes.maxPages, log: deps.log };
    for await (const page of settledSearch(client, deps.budget, query, opts, charged)) {
      const result = await syncIssuePage(client, page.issues, stamp, deps);
      issues += result.issues;
      changes += result.changes;
      charged(result.commentPoints);
      if (result.last) {
        // Never past this poll's start: an issue whose `updated` is in the future (refused by the
        // pipeline) would otherwise move the cursor ahead, and the next polls skip what comes between.
        last = Math.max(last, Math.min(result.last.updated, startedAt));
        await deps.cursors.advance(connection.id, last);
      }
      await onPage?.({ issues, changes, cursor: last });
    }
  }
  await deps.cursors.pollDone(connection.id, startedAt, points);
  return { issues, changes, points, cursor: last };
}

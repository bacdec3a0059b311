import type { JiraClient } from '../atlassian/jira/jira-client.ts';
import type { SyncStamp } from '../normalize/polled-changes.ts';
import type { BackfillCheckpoint } from '../state/cursors.ts';
import { approximateIssueCount } from './issue-count.ts';
import { syncIssuePage } from './page-sync.ts';
import { settledSearch } from './settled-search.ts';
import { type PageHook, type SyncPassDeps, siteOf } from './sync-deps.ts';
import { readBefore } from './sync-order.ts';
import { projectScope, syncJql } from './sync-scope.ts';

/**
 * - `more`: the slice checkpointed and there is more to read: run again;
 * - `done`: the scan reached the end (it is marked done);
 * - `idle`: nothing to do (no backfill, paused, or done before).
 */
export type BackfillOutcome =
  | { readonly state: 'more' | 'done'; readonly issues: number; readonly changes: number }
  | { readonly state: 'idle'; readonly reason: string };

/**
 * One slice of a site's backfill: up to `slicePages` search pages from the checkpoint on, in the
 * sync order (`updated`, then id), each page queued before the checkpoint moves past it. A crash
 * repeats at most the page in flight (its changes carry the same job ids and versions, so the same
 * ce_ids). Issues changed while the backfill runs move to the end of the order and are read again
 * there, in their new version. Slices keep one site's backfill from holding a worker for hours, and
 * a slice ends early when a poll of the site is waiting for it.
 */
export async function backfillSlice(
  client: JiraClient,
  deps: SyncPassDeps,
  onPage?: PageHook,
  yieldWanted: () => Promise<boolean> = async () => false,
): Promise<BackfillOutcome> {
  const { connection } = client;
  const checkpoint = await deps.cursors.backfill(connection.id);
  if (!checkpoint) return { state: 'idle', reason: 'no backfill' };
  if (checkpoint.status !== 'running') return { state: 'idle', reason: checkpoint.status };
  const { keys: projects } = await projectScope(client, deps.scope);
  if (projects.length === 0) return finish(deps, connection.id, checkpoint);
  const stamp: SyncStamp = {
    site: siteOf(client),
    source: 'backfill',
    observedAt: deps.now(),
    markdown: deps.markdown,
  };
  const run = String(checkpoint.generation);
  await deps.progress.begin(connection.id, 'backfill', run, checkpoint.startedAt, () =>
    approximateIssueCount(client, syncJql(projects, checkpoint.from), deps.log),
  );
  const since = checkpoint.after?.updated ?? checkpoint.from;
  const query = { jql: syncJql(projects, since), fields: await deps.fieldsFor(stamp.site.host) };
  const opts = { pageSize: deps.searchPageSize, maxPages: deps.scope.sizes.maxPages, log: deps.log };
  let progress = { after: checkpoint.after, issues: checkpoint.issues, changes: checkpoint.changes };
  let pages = 0;
  for await (const page of settledSearch(client, deps.budget, query, opts)) {
    // Issues at the checkpoint's own `updated` come again (the bound is inclusive): counted once.
    const fresh = page.issues.filter((issue) => !readBefore(issue, progress.after));
    const result = await syncIssuePage(client, fresh, stamp, deps);
    progress = {
      after: result.last ?? progress.after,
      issues: progress.issues + result.issues,
      changes: progress.changes + result.changes,
    };
    if (!(await deps.cursors.saveBackfill(connection.id, checkpoint.generation, progress))) {
      // An operator started a new backfill meanwhile: the next slice follows that one.
      return { state: 'more', issues: progress.issues, changes: progress.changes };
    }
    await deps.progress.advance(connection.id, 'backfill', run, progress.issues, deps.now());
    await onPage?.({ ...progress, startedAt: checkpoint.startedAt });
    // A poll of the same site waits: let it go first (polls come before backfills).
    if ((++pages >= deps.slicePages || (await yieldWanted())) && page.nextPageToken !== null) {
      return { state: 'more', issues: progress.issues, changes: progress.changes };
    }
  }
  return finish(deps, connection.id, { ...checkpoint, ...progress });
}

async function finish(
  deps: SyncPassDeps,
  connectionId: string,
  checkpoint: BackfillCheckpoint,
): Promise<BackfillOutcome> {
  const { after, issues, changes } = checkpoint;
  const finishedAt = deps.now();
  await deps.cursors.saveBackfill(connectionId, checkpoint.generation, {
    after,
    issues,
    changes,
    status: 'done',
    finishedAt,
  });
  await deps.progress.finish(connectionId, 'backfill', String(checkpoint.generation), issues, finishedAt);
  deps.log.info({ connection: connectionId, issues: checkpoint.issues }, 'backfill finished');
  return { state: 'done', issues: checkpoint.issues, changes: checkpoint.changes };
}

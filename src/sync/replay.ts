import type { JiraClient } from '../atlassian/jira/jira-client.ts';
import type { SyncStamp } from '../normalize/polled-changes.ts';
import type { ReplayCheckpoint } from '../state/replay-checkpoints.ts';
import type { BackfillOutcome } from './backfill.ts';
import { approximateIssueCount } from './issue-count.ts';
import { replayIssuePage } from './replay-page.ts';
import { settledSearch } from './settled-search.ts';
import { type PageHook, type SyncPassDeps, siteOf } from './sync-deps.ts';
import { readBefore } from './sync-order.ts';
import { projectScope, syncJql } from './sync-scope.ts';

/**
 * One slice of a connection's replay (its outcome reads as a backfill slice's): up to `slicePages` search pages of the issues whose current
 * `updated` lies in the window, in the sync order from the checkpoint on, each page's changes
 * through the pipeline as replays (replay-page.ts) before the checkpoint moves past it. Paged,
 * budgeted (backfill priority, the job's) and resumable exactly like a backfill (backfill.ts): a
 * crash repeats at most the page in flight, under the same ce_ids. An issue changed again after
 * the window's end is past it, and is not replayed: its newer version went out live.
 */
export async function replaySlice(
  client: JiraClient,
  deps: SyncPassDeps,
  onPage?: PageHook,
  yieldWanted: () => Promise<boolean> = async () => false,
): Promise<BackfillOutcome> {
  const { connection } = client;
  const checkpoint = await deps.replays.get(connection.id);
  if (!checkpoint) return { state: 'idle', reason: 'no replay' };
  if (checkpoint.status !== 'running') return { state: 'idle', reason: checkpoint.status };
  const { keys: projects } = await projectScope(client, deps.scope);
  const run = String(checkpoint.generation);
  if (projects.length === 0) return finish(deps, connection.id, checkpoint);
  const stamp: SyncStamp = {
    site: siteOf(client),
    source: 'backfill',
    observedAt: deps.now(),
    markdown: deps.markdown,
  };
  const window = windowJql(projects, checkpoint.from, checkpoint.to);
  await deps.progress.begin(connection.id, 'replay', run, checkpoint.startedAt, () =>
    approximateIssueCount(client, window, deps.log),
  );
  const since = checkpoint.after?.updated ?? checkpoint.from;
  const query = {
    jql: windowJql(projects, since, checkpoint.to),
    fields: await deps.fieldsFor(stamp.site.host),
  };
  const opts = { pageSize: deps.searchPageSize, maxPages: deps.scope.sizes.maxPages, log: deps.log };
  let progress = { after: checkpoint.after, issues: checkpoint.issues, changes: checkpoint.changes };
  let pages = 0;
  for await (const page of settledSearch(client, deps.budget, query, opts)) {
    // Issues at the checkpoint's own `updated` come again (the bound is inclusive): replayed once.
    const fresh = page.issues.filter((issue) => !readBefore(issue, progress.after));
    const result = await replayIssuePage(client, fresh, stamp, checkpoint, deps);
    progress = {
      after: result.last ?? progress.after,
      issues: progress.issues + result.issues,
      changes: progress.changes + result.changes,
    };
    if (!(await deps.replays.save(connection.id, checkpoint.generation, progress))) {
      return { state: 'more', issues: progress.issues, changes: progress.changes };
    }
    await deps.progress.advance(connection.id, 'replay', run, progress.issues, deps.now());
    await onPage?.({ ...progress, startedAt: checkpoint.startedAt });
    if ((++pages >= deps.slicePages || (await yieldWanted())) && page.nextPageToken !== null) {
      return { state: 'more', issues: progress.issues, changes: progress.changes };
    }
  }
  return finish(deps, connection.id, { ...checkpoint, ...progress });
}

/** The window as bounded JQL in the sync order: `updated` between two epoch-ms bounds, inclusive. */
function windowJql(projects: readonly string[], from: number, to: number): string {
  const [where, order] = syncJql(projects, from).split(' ORDER BY ');
  return `${where} AND updated <= ${Math.floor(to)} ORDER BY ${order}`;
}

async function finish(deps: SyncPassDeps, connectionId: string, checkpoint: ReplayCheckpoint) {
  const { after, issues, changes, generation } = checkpoint;
  const finishedAt = deps.now();
  await deps.replays.save(connectionId, generation, { after, issues, changes, status: 'done', finishedAt });
  await deps.progress.finish(connectionId, 'replay', String(generation), issues, finishedAt);
  deps.log.info({ connection: connectionId, issues, changes }, 'replay finished');
  return { state: 'done', issues, changes } as const;
}

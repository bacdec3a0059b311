import type { SiteRef } from '../../connectors/jira-change.ts';
import type { JiraClient } from '../atlassian/jira/jira-client.ts';
import type { Logger } from '../logger.ts';
import type { RedisSyncCursors } from '../state/cursors.ts';
import type { RedisEntityState } from '../state/entity-state.ts';
import type { RedisKnownEntities } from '../state/known-entities.ts';
import type { RedisReplayCheckpoints } from '../state/replay-checkpoints.ts';
import type { RedisSyncProgress } from '../state/sync-progress.ts';
import type { PageSyncDeps } from './page-sync.ts';
import type { ProjectScopeOptions } from './sync-scope.ts';

/** What the poll, the backfill, the reconcile and the replay share. */
export interface SyncPassDeps extends PageSyncDeps {
  /** As a page's (a poll records only the versions it verified), and the reconcile walks every known issue. */
  readonly known: Pick<
    RedisKnownEntities,
    'issues' | 'comments' | 'rememberIssue' | 'issueCount' | 'allIssues'
  >;
  readonly cursors: RedisSyncCursors;
  readonly replays: RedisReplayCheckpoints;
  /** What backfill, reconcile and replay report after every page (the admin API reads it). */
  readonly progress: RedisSyncProgress;
  readonly entities: Pick<RedisEntityState, 'issueSnapshot'>;
  readonly scope: ProjectScopeOptions;
  /** The fields to ask for on this site (the connectors' needs, plus comments). */
  readonly fieldsFor: (siteHost: string) => Promise<readonly string[]>;
  /** JIRA_SEARCH_PAGE_SIZE. */
  readonly searchPageSize: number;
  /** SYNC_POLL_OVERLAP_MS. */
  readonly overlapMs: number;
  /** SYNC_BACKFILL_SLICE_PAGES. */
  readonly slicePages: number;
  /** SYNC_RECONCILE_PAGE_SIZE. */
  readonly reconcilePageSize: number;
  /** SYNC_RECONCILE_INTERVAL_SECONDS in ms. */
  readonly reconcileEveryMs: number;
  /** TEXT_MARKDOWN. */
  readonly markdown: boolean;
  readonly now: () => number;
  readonly log: Logger;
}

/** Called after every page: the job renews its site lease and reports progress. */
export type PageHook = (progress: Readonly<Record<string, unknown>>) => Promise<void>;

export function siteOf(client: JiraClient): SiteRef {
  return { host: client.connection.siteHost, cloudId: client.connection.cloudId };
}

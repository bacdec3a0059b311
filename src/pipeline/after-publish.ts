import type { CommentChange, IssueChange, JiraChange } from '../../connectors/jira-change.ts';
import type { Logger } from '../logger.ts';
import { commentDeletion } from '../normalize/polled-changes.ts';
import type { RedisWebhookCoverage } from '../state/coverage.ts';
import type { RedisKnownEntities } from '../state/known-entities.ts';
import { mapLimit } from './map-limit.ts';

/** Comment deletions of one deleted issue in flight at once. */
const cascadeConcurrency = 16;

export interface AfterPublishDeps {
  readonly coverage: Pick<RedisWebhookCoverage, 'sight'>;
  readonly known: Pick<
    RedisKnownEntities,
    'comments' | 'rememberIssue' | 'rememberComment' | 'forgetComments' | 'forgetIssue'
  >;
  /** The change handler: takes a derived change through the connectors, or durably defers it. */
  readonly handle: (change: JiraChange) => Promise<unknown>;
  readonly log: Logger;
}

/**
 * What follows a change every connector is through with, whichever path brought it:
 * - a webhook change is recorded as seen by webhook, so a poll that finds it may skip it; never
 *   before, or a change deferred and then failed for good would be skipped by polls too;
 * - the entity becomes known to the deletion reconcile (and, when a poll published it, to the polls'
 *   dedupe, newer versions only), and stays known until its deletion is out;
 * - an issue's deletion is followed by a deletion of each of its known comments (their own webhooks
 *   may be lost, and the reconcile could not find them once the issue is forgotten); the issue is
 *   forgotten when none is left, else a later reconcile finds it gone again and retries the rest.
 */
export function createAfterPublish(deps: AfterPublishDeps): (change: JiraChange) => Promise<void> {
  return async (change) => {
    await Promise.all([
      change.source === 'webhook' ? sightByWebhook(change, deps) : undefined,
      settleKnown(change, deps),
    ]);
  };
}

async function settleKnown(change: JiraChange, deps: AfterPublishDeps): Promise<void> {
  if (change.entity === 'comment') return settleComment(change, deps);
  if (change.kind === 'deleted') return cascadeIssueDeletion(change, deps);
  const { id, key } = change.issue;
  // A webhook's issue version must not stand for the polls' (id, updated) dedupe: the poll that
  // records it also read the issue's comments completely, a webhook did not (a dropped comment
  // webhook would then never be found). Known by webhook only: version 0, as for comments. A poll
  // that then reads the issue's complete comment list and finds nothing unpublished records the
  // version itself (sync/page-sync.ts, rememberVerified).
  const version = change.source === 'webhook' ? 0 : change.version;
  await deps.known.rememberIssue(change.site.host, { id, key, version });
}

/** Coverage is bookkeeping: a failure costs a poll a repeat that markers drop, never the change. */
async function sightByWebhook(change: JiraChange, deps: AfterPublishDeps): Promise<void> {
  try {
    await deps.coverage.sight('webhook', [change]);
  } catch (err) {
    deps.log.warn({ err, site: change.site.host }, 'webhook coverage not recorded');
  }
}

async function settleComment(change: CommentChange, deps: AfterPublishDeps): Promise<void> {
  const site = change.site.host;
  if (change.kind === 'deleted') {
    await deps.known.forgetComments(site, change.issue.id, [change.comment.id]);
    return;
  }
  await deps.known.rememberComment(site, change.issue, { id: change.comment.id, version: change.version });
}

async function cascadeIssueDeletion(change: IssueChange, deps: AfterPublishDeps): Promise<void> {
  const site = change.site.host;
  const { issue } = change;
  const known = (await deps.known.comments(site, [issue.id])).get(issue.id) ?? new Map<string, number>();
  const stamp = { site: change.site, source: change.source, observedAt: change.observedAt };
  const trimmed = { id: issue.id, key: issue.key };
  // Versioned like the issue's deletion: a repeat of it yields the same ce_ids.
  await mapLimit([...known.keys()], cascadeConcurrency, (commentId) =>
    deps.handle(commentDeletion(stamp, trimmed, commentId, change.version)),
  );
  await deps.known.forgetIssue(site, issue.id);
}

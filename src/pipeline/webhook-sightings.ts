import type { JiraChange } from '../../connectors/jira-change.ts';
import type { Logger } from '../logger.ts';
import type { RedisWebhookCoverage } from '../state/coverage.ts';
import type { RedisKnownEntities } from '../state/known-entities.ts';

export interface WebhookSightingDeps {
  readonly coverage: Pick<RedisWebhookCoverage, 'sight'>;
  readonly known: Pick<RedisKnownEntities, 'forgetIssues' | 'forgetComments'>;
  readonly log: Logger;
}

/**
 * The webhook path's change handler, recording each change it handled as seen by a webhook. The
 * record is written after the handler returns (the change is published or durably deferred), so a
 * poll that finds it may skip the change. A webhook deletion also drops the entity from what sync
 * knows, so the reconcile does not report it again. Coverage is bookkeeping: a failure to record
 * is logged and never fails the delivery.
 */
export function recordWebhookSightings<T>(
  handle: (change: JiraChange) => Promise<T>,
  deps: WebhookSightingDeps,
): (change: JiraChange) => Promise<T> {
  return async (change) => {
    const handled = await handle(change);
    try {
      await deps.coverage.sight('webhook', [change]);
      if (change.kind !== 'deleted') return handled;
      if (change.entity === 'issue') await deps.known.forgetIssues(change.site.host, [change.issue.id]);
      else await deps.known.forgetComments(change.site.host, change.issue.id, [change.comment.id]);
    } catch (err) {
      deps.log.warn({ err, site: change.site.host }, 'webhook coverage not recorded');
    }
    return handled;
  };
}

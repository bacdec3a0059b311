import type { JiraChange } from '../../connectors/jira-change.ts';
import type { ChangeQueue } from '../queues/change-queue.ts';
import { PublishBusyError } from './connector-turn.ts';
import { type ChangeOutcome, type ProcessChangeDeps, processChange } from './process-change.ts';

export type HandledChange = ChangeOutcome | { readonly outcome: 'deferred'; readonly reason: string };

/**
 * The fast path for changes that arrive by webhook: processed right in the events job, which saves
 * a queue round trip per change. Anything that cannot finish now (another worker is publishing an
 * older version, Kafka refused, Redis hiccuped) is handed to the change queue, durably, before the
 * events job completes; that queue retries with backoff and dead-letters after its last attempt.
 * What can never finish (a mapping that throws, a version far in the future) goes there too, where
 * its job fails at once and its dead letter is written.
 */
export function createChangeHandler(deps: ProcessChangeDeps & { readonly retryQueue: ChangeQueue }) {
  return async function handleChange(change: JiraChange): Promise<HandledChange> {
    try {
      return await processChange(change, deps);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (!(err instanceof PublishBusyError)) {
        deps.log.warn(
          { err, site: change.site.host, issue: change.issue.key },
          'change deferred to the change queue',
        );
      }
      await deps.retryQueue.enqueue([change]);
      return { outcome: 'deferred', reason };
    }
  };
}

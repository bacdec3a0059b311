import type { JiraChange } from '../../connectors/jira-change.ts';
import { mapLimit } from './map-limit.ts';

/**
 * Sync's way into the pipeline without a queue: each change goes through the connectors right in
 * the sync job (the change handler the webhook path uses), several at a time, which saves a queue
 * round trip per change. The handler hands anything it cannot finish to the change queue, durably,
 * before it returns, so `submit` resolves only once every change is published or queued: the
 * cursor and the checkpoint may move on.
 */
export class InlineChangeProcessor {
  readonly #handle: (change: JiraChange) => Promise<unknown>;
  readonly #concurrency: number;

  constructor(handle: (change: JiraChange) => Promise<unknown>, concurrency: number) {
    this.#handle = handle;
    this.#concurrency = concurrency;
  }

  async submit(changes: readonly JiraChange[]): Promise<void> {
    await mapLimit(changes, this.#concurrency, this.#handle);
  }
}

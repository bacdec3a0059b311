import type { JiraChange } from '../../connectors/jira-change.ts';
import type { ChangeQueue } from '../queues/change-queue.ts';
import { type AfterPublishDeps, createAfterPublish } from './after-publish.ts';
import { createChangeHandler, type HandledChange } from './change-handler.ts';
import type { ProcessChangeDeps } from './process-change.ts';

export interface ChangePipelineDeps extends Omit<ProcessChangeDeps, 'afterPublish'> {
  readonly retryQueue: ChangeQueue;
  readonly coverage: AfterPublishDeps['coverage'];
  readonly known: AfterPublishDeps['known'];
}

export interface ChangePipeline {
  /** What the changes worker processes its jobs with. */
  readonly process: ProcessChangeDeps;
  /** The webhook and sync paths' way in: through the connectors now, or durably deferred. */
  readonly handle: (change: JiraChange) => Promise<HandledChange>;
}

/**
 * The change pipeline as every path shares it: processing ends with the after-publish bookkeeping
 * (seen by webhook, known entities, an issue deletion's comments), which takes the comment
 * deletions it derives through the same handler.
 */
export function createChangePipeline(deps: ChangePipelineDeps): ChangePipeline {
  const { retryQueue, coverage, known, ...processing } = deps;
  let handle: (change: JiraChange) => Promise<HandledChange> = async () => {
    throw new Error('change pipeline used before it was built');
  };
  const afterPublish = createAfterPublish({ coverage, known, log: deps.log, handle: (c) => handle(c) });
  const process: ProcessChangeDeps = { ...processing, afterPublish };
  handle = createChangeHandler({ ...process, retryQueue });
  return { process, handle };
}

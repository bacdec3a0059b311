import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { JiraChange } from '../connectors/jira-change.ts';
import { isRelayError, type RelayError } from '../src/errors.ts';
import {
  type ChangeOutcome,
  type ProcessChangeDeps,
  PublishBusyError,
  processChange,
} from '../src/pipeline/process-change.ts';
import { changeJobSchema } from '../src/queues/change-queue.ts';
import { queueNames } from '../src/queues/queue-names.ts';
import type { WorkerConnection } from './worker-options.ts';

/**
 * One normalized change through every enabled connector. Failures retry with backoff; after the
 * last attempt, or at once when a retry cannot help, the job fails and stays visible, and its
 * worker's failure listener writes the dead letter. When another worker is still publishing
 * an older version of the same entity, the job steps aside (delayed, not failed) and comes back,
 * so per-entity order holds across processes without a lock.
 */
async function processChangeJob(
  job: Job,
  token: string | undefined,
  deps: ProcessChangeDeps,
): Promise<ChangeOutcome> {
  const parsed = changeJobSchema.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`invalid change job: ${parsed.error.issues[0]?.message}`);
  const change = parsed.data.change as unknown as JiraChange;
  const log = deps.log.child({
    queue: queueNames.changes,
    jobId: job.id,
    site: change.site.host,
    issue: change.issue.key,
  });
  try {
    return await processChange(change, { ...deps, log });
  } catch (err) {
    if (err instanceof PublishBusyError && token !== undefined) {
      await job.moveToDelayed(Date.now() + Math.max(err.retryInMs, 10), token);
      throw new DelayedError();
    }
    // Retrying cannot help (a mapping that throws): fail now; the failure listener dead-letters it.
    if (isRelayError(err) && !err.retryable) throw unrecoverable(err);
    throw err;
  }
}

/** BullMQ fails an UnrecoverableError without retries; the relay error stays reachable as its cause. */
function unrecoverable(err: RelayError): UnrecoverableError {
  const failure = new UnrecoverableError(err.message);
  failure.cause = err;
  return failure;
}

export function startChangesWorker(connection: WorkerConnection, deps: ProcessChangeDeps): Worker {
  return new Worker(queueNames.changes, (job, token) => processChangeJob(job, token, deps), connection);
}

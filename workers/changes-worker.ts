import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { JiraChange } from '../connectors/jira-change.ts';
import { isRelayError, type RelayError } from '../src/errors.ts';
import { PublishRefusedError } from '../src/kafka/publish-refused-error.ts';
import { PublishBusyError } from '../src/pipeline/connector-turn.ts';
import { type ChangeOutcome, type ProcessChangeDeps, processChange } from '../src/pipeline/process-change.ts';
import { changeJobSchema } from '../src/queues/change-queue.ts';
import { queueNames } from '../src/queues/queue-names.ts';
import type { WorkerConnection } from './worker-options.ts';

/**
 * One normalized change through every enabled connector. Failures retry with backoff; after the
 * last attempt, or at once when a retry cannot help, the job fails and stays visible, and its
 * worker's failure listener writes the dead letter. When another worker is still publishing
 * an older version of the same entity, or Kafka could not take the events, the job steps aside
 * (delayed, not failed) and comes back: per-entity order holds across processes without a lock,
 * and a Kafka outage costs latency, not dead letters.
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
    // Kafka never got the events (down, or the publisher full): back off without spending an
    // attempt, so an outage longer than the retry budget delays changes instead of dead-lettering them.
    if (kafkaRefusedOnly(err) && token !== undefined) {
      const waitMs = kafkaBackoffMs(job);
      log.debug({ err, waitMs, started: job.attemptsStarted }, 'kafka unavailable: change job delayed');
      await job.moveToDelayed(Date.now() + waitMs, token);
      throw new DelayedError();
    }
    // Retrying cannot help (a mapping that throws): fail now; the failure listener dead-letters it.
    if (isRelayError(err) && !err.retryable) throw unrecoverable(err);
    throw err;
  }
}

/** Whether every connector that failed did so only because the publisher refused its events. */
function kafkaRefusedOnly(err: unknown): boolean {
  if (err instanceof PublishRefusedError) return true;
  // The pipeline gathers connector failures as `failures: { connector, error }[]`.
  const failures = (err as { failures?: unknown } | null)?.failures;
  return (
    Array.isArray(failures) &&
    failures.length > 0 &&
    failures.every((f) => (f as { error?: unknown }).error instanceof PublishRefusedError)
  );
}

/**
 * The job's own exponential backoff, counted by the times it started (attempts are not spent),
 * and never longer than its last regular retry would wait.
 */
function kafkaBackoffMs(job: Job): number {
  const { backoff, attempts = 1 } = job.opts;
  const base = (typeof backoff === 'number' ? backoff : backoff?.delay) ?? 1000;
  const step = Math.min(Math.max(job.attemptsStarted - 1, 0), Math.max(attempts - 1, 0));
  return base * 2 ** step;
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

import type { Job, Worker } from 'bullmq';
import { isRelayError } from '../src/errors.ts';
import type { DeadLetter, EventPublisher } from '../src/kafka/event-publisher.ts';
import type { Logger } from '../src/logger.ts';

/**
 * After a job's last attempt (or an unrecoverable error), its input, error and attempts go to the
 * dead-letter topic for downstream tooling. The relay passes a DurableDeadLetterPublisher: the
 * letter is recorded in Redis before it is sent, so one Kafka cannot take now is re-sent once it is
 * back. The job itself stays failed in BullMQ (bounded retention), visible in the dashboard and
 * re-drivable from the admin API.
 */
export function deadLetterOnFinalFailure(
  worker: Worker,
  publisher: Pick<EventPublisher, 'publishDeadLetter'>,
  log: Logger,
): void {
  worker.on('failed', (job: Job | undefined, err: Error) => {
    if (!job || !isFinal(job, err)) return;
    publisher
      .publishDeadLetter(deadLetterOf(worker.name, job, err))
      .catch((dlqErr: unknown) =>
        log.error(
          { err: dlqErr, queue: worker.name, jobId: job.id },
          'dead letter not recorded; the job stays failed',
        ),
      );
  });
}

function deadLetterOf(queue: string, job: Job, err: Error): DeadLetter {
  const change = (job.data as { change?: { site?: { host?: string }; issue?: { id?: string } } }).change;
  const key = change?.site?.host && change.issue?.id ? `${change.site.host}:${change.issue.id}` : undefined;
  // An UnrecoverableError thrown for a relay error carries it as its cause.
  const relay = isRelayError(err) ? err : isRelayError(err.cause) ? err.cause : undefined;
  const connector = (relay as { connector?: unknown } | undefined)?.connector;
  return {
    queue,
    ...(typeof connector === 'string' ? { connector } : {}),
    ...(job.id === undefined ? {} : { jobId: job.id }),
    ...(key === undefined ? {} : { key }),
    input: job.data,
    error: { code: relay?.code ?? err.name, message: err.message, retryable: relay?.retryable ?? false },
    attempts: job.attemptsMade,
    failedAt: Date.now(),
  };
}

function isFinal(job: Job, err: Error): boolean {
  return err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
}

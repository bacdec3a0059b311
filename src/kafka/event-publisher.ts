import type { RelayEvent } from '../../connectors/relay-event.ts';

/** What failed for good: the job's input, the last error and how often it was tried. */
export interface DeadLetter {
  /** The queue (and connector, when one was at fault) the job belonged to. */
  readonly queue: string;
  readonly connector?: string;
  readonly jobId?: string;
  /** `{siteHost}:{issueId}` when known, so dead letters of one issue stay in order. */
  readonly key?: string;
  /** The job data as the queue held it. */
  readonly input: unknown;
  readonly error: { readonly code: string; readonly message: string; readonly retryable: boolean };
  readonly attempts: number;
  /** Epoch ms of the last failure. */
  readonly failedAt: number;
}

/**
 * Publishes relay events. Each promise resolves only after the broker acknowledged the message
 * with acks=all, so a job that awaits it completes only after Kafka has the event.
 */
export interface EventPublisher {
  publish(events: readonly RelayEvent[]): Promise<void>;
  publishDeadLetter(letter: DeadLetter): Promise<void>;
  /** Flushes what is waiting, then disconnects. */
  close(): Promise<void>;
}

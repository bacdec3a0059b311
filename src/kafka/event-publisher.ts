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
  /**
   * Set once the letter is recorded in Redis for re-sending: every copy sent carries the same id
   * (header `x-relay-dead-letter-id`), so a consumer can drop a re-sent repeat.
   */
  readonly id?: string;
}

/**
 * Publishes relay events. Each promise resolves only after the broker acknowledged the message
 * with acks=all, so a job that awaits it completes only after Kafka has the event.
 */
export interface EventPublisher {
  publish(events: readonly RelayEvent[]): Promise<void>;
  /**
   * Resolves once the letter cannot be lost any more: the Kafka adapter once the broker acked it;
   * DurableDeadLetterPublisher once it is recorded in Redis (it reaches the topic now or on a re-send).
   */
  publishDeadLetter(letter: DeadLetter): Promise<void>;
  /** Flushes what is waiting, then disconnects. */
  close(): Promise<void>;
}

import { RelayError } from '../errors.ts';

/**
 * Why a publish was given back unacknowledged:
 * - `timeout`: it waited KAFKA_PUBLISH_TIMEOUT_MS for a batch and was withdrawn;
 * - `unavailable`: the batch in flight has gone unanswered for longer than that timeout;
 * - `full`: KAFKA_PUBLISH_MAX_PENDING messages are waiting or in flight already;
 * - `closed`: the publisher is shutting down;
 * - `unreachable`: kafkajs gave up on its batch because the broker could not be reached.
 */
export type PublishRefusal = 'timeout' | 'unavailable' | 'full' | 'closed' | 'unreachable';

/**
 * Kafka could not take a publish now, and none of it will reach Kafka later: its messages were
 * never handed to kafkajs, or kafkajs has given up on them. Retrying later is safe, and the caller
 * may release its claim on the entity's version at once.
 */
export class PublishRefusedError extends RelayError {
  readonly reason: PublishRefusal;

  constructor(reason: PublishRefusal, message: string, cause?: unknown) {
    // errors.ts has no codes of their own for these yet: timeouts and refusals say KAFKA_PUBLISH_FAILED.
    super(reason === 'closed' ? 'UNAVAILABLE' : 'KAFKA_PUBLISH_FAILED', message, { retryable: true, cause });
    this.name = 'PublishRefusedError';
    this.reason = reason;
  }
}

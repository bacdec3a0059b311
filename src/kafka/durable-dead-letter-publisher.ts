import type { RelayEvent } from '../../connectors/relay-event.ts';
import type { Logger } from '../logger.ts';
import type { RecordedDeadLetter, RedisDeadLetterOutbox } from './dead-letter-outbox.ts';
import type { DeadLetter, EventPublisher } from './event-publisher.ts';

export interface DeadLetterResendReport {
  /** Letters the broker acked in this run. */
  readonly resent: number;
  /** Letters still waiting in Redis afterwards. */
  readonly pending: number;
  /** Another process was re-sending: this run did nothing. */
  readonly busy: boolean;
}

export interface DurableDeadLetterPublisherOptions {
  readonly inner: EventPublisher;
  readonly outbox: RedisDeadLetterOutbox;
  /**
   * KAFKA_PUBLISH_TIMEOUT_MS: a letter is re-sent only once its first send had that long to
   * finish, and a re-send run holds its lease a few times that long.
   */
  readonly publishTimeoutMs: number;
  readonly log: Logger;
}

const resendPage = 100;

/**
 * An EventPublisher whose dead letters survive a Kafka outage: each is recorded in Redis first,
 * then sent, and removed once the broker acked it. What Kafka could not take stays recorded and is
 * re-sent by `resendPending` (a maintenance job, and the next dead letter that gets through).
 * Events pass straight through: their jobs retry on their own.
 */
export class DurableDeadLetterPublisher implements EventPublisher {
  readonly #o: DurableDeadLetterPublisherOptions;

  constructor(opts: DurableDeadLetterPublisherOptions) {
    this.#o = opts;
  }

  publish(events: readonly RelayEvent[]): Promise<void> {
    return this.#o.inner.publish(events);
  }

  /**
   * Resolves once the letter is in Redis and its first send ended, acked or not (then it waits for
   * a re-send). Rejects only when Redis could not record it.
   */
  async publishDeadLetter(letter: DeadLetter): Promise<void> {
    const { id, pending, dropped } = await this.#o.outbox.record(letter);
    if (dropped)
      this.#o.log.warn({ pending }, 'dead-letter outbox full: the oldest pending letter was dropped');
    const sent = await this.#send({ id, letter });
    // Kafka took this one: it is back, so letters an outage left behind can go too.
    if (sent && pending > 1) await this.resendPending();
  }

  /** Re-sends recorded letters, oldest first, until Kafka refuses one or none is due. */
  async resendPending(): Promise<DeadLetterResendReport> {
    const { outbox, publishTimeoutMs } = this.#o;
    const lease = await outbox.tryLease(Math.max(30_000, publishTimeoutMs * 3));
    if (!lease) return { resent: 0, pending: await outbox.count(), busy: true };
    let resent = 0;
    try {
      for (;;) {
        const due = await outbox.oldest(resendPage, Date.now() - publishTimeoutMs);
        const sent = await Promise.all(due.map((recorded) => this.#send(recorded)));
        resent += sent.filter(Boolean).length;
        if (due.length < resendPage || sent.includes(false)) break;
      }
    } finally {
      await lease.release();
    }
    const pending = await outbox.count();
    if (resent > 0) this.#o.log.info({ resent, pending }, 'pending dead letters re-sent');
    return { resent, pending, busy: false };
  }

  close(): Promise<void> {
    return this.#o.inner.close();
  }

  /** True once the broker acked the letter and it left the outbox. */
  async #send({ id, letter }: RecordedDeadLetter): Promise<boolean> {
    try {
      await this.#o.inner.publishDeadLetter({ ...letter, id });
    } catch (err) {
      this.#o.log.warn(
        { err, deadLetter: id, queue: letter.queue, jobId: letter.jobId },
        'dead letter not acked by kafka: kept in redis for a re-send',
      );
      return false;
    }
    await this.#o.outbox.remove(id);
    return true;
  }
}

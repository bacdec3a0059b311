import type { OutgoingMessage } from './cloud-event-message.ts';

export interface TopicMessage {
  readonly topic: string;
  readonly message: OutgoingMessage;
}

/** One publish call: its messages go out in one batch and settle together. */
export interface PendingPublish {
  readonly messages: readonly TopicMessage[];
  /** performance.now() from which it is withdrawn if it is still waiting. */
  readonly deadline: number;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Publishes waiting for the next produce request, oldest first. Every publish gets the same
 * timeout, so deadlines come in queue order: one timer, armed for the oldest, withdraws whatever is
 * overdue. A withdrawn publish was never handed to kafkajs, so it can never reach Kafka later.
 */
export class PendingPublishes {
  readonly #timeoutMs: number;
  readonly #onExpired: (publish: PendingPublish) => void;
  #entries: PendingPublish[] = [];
  #messages = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(timeoutMs: number, onExpired: (publish: PendingPublish) => void) {
    this.#timeoutMs = timeoutMs;
    this.#onExpired = onExpired;
  }

  /** Messages waiting. */
  get messages(): number {
    return this.#messages;
  }

  get size(): number {
    return this.#entries.length;
  }

  add(messages: readonly TopicMessage[], resolve: () => void, reject: (err: unknown) => void): void {
    this.#entries.push({ messages, deadline: performance.now() + this.#timeoutMs, resolve, reject });
    this.#messages += messages.length;
    this.#arm();
  }

  /** The oldest publishes, up to `maxMessages` (at least one publish, however large). */
  take(maxMessages: number): PendingPublish[] {
    const batch: PendingPublish[] = [];
    let count = 0;
    for (const next of this.#entries) {
      if (batch.length > 0 && count + next.messages.length > maxMessages) break;
      batch.push(next);
      count += next.messages.length;
    }
    this.#entries = this.#entries.slice(batch.length);
    this.#messages -= count;
    if (this.#entries.length === 0) this.#disarm();
    return batch;
  }

  #arm(): void {
    const oldest = this.#entries[0];
    if (this.#timer || !oldest) return;
    this.#timer = setTimeout(() => this.#expire(), Math.max(0, oldest.deadline - performance.now()));
    // Pending publishes keep the process busy on their own; this timer alone should not.
    this.#timer.unref();
  }

  #disarm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #expire(): void {
    this.#timer = undefined;
    const now = performance.now();
    let overdue = 0;
    while (overdue < this.#entries.length && (this.#entries[overdue] as PendingPublish).deadline <= now) {
      overdue++;
    }
    const expired = this.#entries.slice(0, overdue);
    this.#entries = this.#entries.slice(overdue);
    for (const publish of expired) {
      this.#messages -= publish.messages.length;
      this.#onExpired(publish);
    }
    this.#arm();
  }
}

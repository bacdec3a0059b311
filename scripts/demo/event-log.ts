/** One CloudEvent the demo read back from Kafka: its topic, `ce_*` headers and JSON data. */
export interface ReadEvent {
  readonly topic: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly data: Record<string, unknown>;
}

/**
 * Every event the demo's Kafka reader has read, in order, so the two-way part can wait for an event
 * (a command's result, what another connector received) or show that one never came.
 */
export class EventLog {
  readonly #events: ReadEvent[] = [];

  add(event: ReadEvent): void {
    this.#events.push(event);
  }

  /** A mark: `find` and `waitFor` from it consider only what is read after this moment. */
  mark(): number {
    return this.#events.length;
  }

  /** The first event after `from` that matches, if one was read. */
  find(matches: (event: ReadEvent) => boolean, from = 0): ReadEvent | undefined {
    for (let i = from; i < this.#events.length; i++) {
      const event = this.#events[i];
      if (event && matches(event)) return event;
    }
    return undefined;
  }

  /** The first event after `from` that matches, waiting up to `timeoutMs` for it; undefined if none came. */
  async waitFor(
    matches: (event: ReadEvent) => boolean,
    timeoutMs: number,
    from = 0,
  ): Promise<ReadEvent | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.find(matches, from);
      if (found || Date.now() >= deadline) return found;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** What happened when, printed in seconds from the start of the load (negative: during set-up). */
export class Timeline {
  readonly #entries: Array<{ readonly at: number; readonly text: string }> = [];
  #zero = Date.now();

  /** The load starts: times are counted from here. */
  startClock(): void {
    this.#zero = Date.now();
  }

  /** Seconds since the load started. */
  now(): number {
    return (Date.now() - this.#zero) / 1000;
  }

  /** Records an entry and prints it at once, so a long run shows where it is. */
  add(text: string): void {
    const entry = { at: Date.now(), text };
    this.#entries.push(entry);
    console.log(this.#format(entry));
  }

  lines(): string[] {
    return this.#entries.map((e) => this.#format(e));
  }

  #format(e: { at: number; text: string }): string {
    const s = (e.at - this.#zero) / 1000;
    return `  t=${s < 0 ? '-' : '+'}${Math.abs(s).toFixed(1).padStart(5)}s  ${e.text}`;
  }
}

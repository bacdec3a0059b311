/** How to stop one thing the demo started. */
export type Cleanup = () => Promise<unknown> | unknown;

/**
 * What the demo started, stopped in reverse: the last thing started stops first, so nothing is left
 * talking to something already gone (the activity and the Kafka reader before the relay, the relay
 * before the simulator and the broker). There is only `add`: the order is the start order.
 */
export class Cleanups {
  readonly #steps: Cleanup[] = [];

  /** Registers how to stop something the demo is starting now. */
  add(step: Cleanup): void {
    this.#steps.push(step);
  }

  /**
   * Runs every registered step once, newest first, each after the previous one finished. A step that
   * fails does not keep the others from running; the failures are returned.
   */
  async runAll(): Promise<unknown[]> {
    const failures: unknown[] = [];
    for (const step of this.#steps.splice(0).reverse()) {
      try {
        await step();
      } catch (err) {
        failures.push(err);
      }
    }
    return failures;
  }
}

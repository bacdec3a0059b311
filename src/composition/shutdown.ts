import type { Logger } from '../logger.ts';

interface Step {
  readonly name: string;
  readonly close: () => Promise<unknown>;
}

/**
 * What the process built, closed in the reverse order it was built: whatever is built registers
 * its own close right there, so what depends on a thing (intake on the queues, workers on the
 * publisher) is closed before it. A step that fails is logged and the rest still run.
 */
export class Shutdown {
  readonly #steps: Step[] = [];

  /** Registers how to close what was just built. */
  add(name: string, close: () => Promise<unknown>): void {
    this.#steps.push({ name, close });
  }

  async run(log?: Logger): Promise<void> {
    for (const step of this.#steps.splice(0).reverse()) {
      try {
        await step.close();
      } catch (err) {
        log?.warn({ err, step: step.name }, 'shutdown step failed');
      }
    }
  }
}

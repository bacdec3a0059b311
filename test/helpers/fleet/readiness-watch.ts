import type { ReadinessSample } from './recovery.ts';
import type { RelayFleet } from './relay-fleet.ts';

/**
 * Probes every fleet member's /readyz over and over while the load and the faults run, so the
 * figures can say how long after each fault the whole fleet answered 200 again. A killed member
 * counts as not ready until its replacement is.
 */
export class ReadinessWatch {
  readonly samples: ReadinessSample[] = [];
  #running = false;
  #loop: Promise<void> = Promise.resolve();

  start(fleet: RelayFleet, everyMs = 300): void {
    this.#running = true;
    this.#loop = (async () => {
      while (this.#running) {
        const at = Date.now();
        this.samples.push({ at, notReady: await fleet.notReady() });
        await new Promise((r) => setTimeout(r, Math.max(0, at + everyMs - Date.now())));
      }
    })();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }
}

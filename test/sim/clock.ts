/**
 * The simulator's notion of "now". Tests advance it instead of waiting for token expiry, the
 * refresh-token reuse window or the top of the quota hour. Timers (webhook retries) stay real.
 */
export interface SimClock {
  now(): number;
  /** Moves simulated time forward (never backward). */
  advance(ms: number): void;
}

export function createClock(base: () => number = Date.now): SimClock {
  let offset = 0;
  return {
    now: () => base() + offset,
    advance: (ms) => {
      if (ms < 0) throw new Error('the simulator clock only moves forward');
      offset += ms;
    },
  };
}

/** When an `every` job scheduler runs next, and the phase (offset) it keeps. */
export interface EveryNext {
  readonly next: number;
  readonly offset: number;
}

/**
 * BullMQ 6's `getJobSchedulerEveryNextMillis` (commands/includes, Lua) in TypeScript, so the virtual
 * scheduler fires polls when BullMQ would: a new scheduler (or one whose `every` changed, which
 * BullMQ treats as new) runs at once and keeps that instant's phase; an iteration runs `every`
 * after the previous one, and one that is already late catches up to the next slot of its phase
 * instead of running every missed iteration.
 */
export function nextEveryMillis(prev: number | null, every: number, now: number, offset: number): EveryNext {
  let next: number;
  if (prev === null) {
    if (offset > 0) {
      next = Math.floor(now / every) * every + offset;
      if (next <= now) next += every;
    } else {
      next = now;
    }
  } else {
    next = prev + every;
    if (next < now) {
      const aligned = Math.floor(now / every) * every + offset;
      next = aligned <= now ? aligned + every : aligned;
    }
  }
  const phase = offset > 0 ? offset : next - Math.floor(next / every) * every;
  return { next: Math.floor(next), offset: Math.floor(phase) };
}

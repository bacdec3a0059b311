import { describe, expect, it } from 'vitest';
import { pollPhase } from '../../../src/sync/sync-scheduler.ts';

describe('the phase a rescheduled poll keeps', () => {
  it('is inside the interval, never 0 (BullMQ would run at once), and the same for the same connection', () => {
    for (const every of [2, 60_000, 10_800_000]) {
      for (let i = 0; i < 200; i++) {
        const phase = pollPhase(`connection-${i}`, every);
        expect(phase).toBeGreaterThan(0);
        expect(phase).toBeLessThan(every);
        expect(pollPhase(`connection-${i}`, every)).toBe(phase);
      }
    }
  });

  it('spreads 10,000 connections evenly over the interval', () => {
    const every = 3_600_000;
    const tenths = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const tenth = Math.floor((pollPhase(crypto.randomUUID(), every) / every) * 10);
      tenths[tenth] = (tenths[tenth] ?? 0) + 1;
    }
    // 1,000 expected in each tenth; a binomial spread stays well within 850..1,150.
    for (const n of tenths) expect(Math.abs(n - 1000)).toBeLessThan(150);
  });
});

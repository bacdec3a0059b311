import { describe, expect, it } from 'vitest';
import { pollPointsFor } from '../../../src/sync/poll-budget.ts';

const o = { pointsPerWindow: 65_000, share: 0.2, webhookReserveShare: 0.1 };

describe('the points the app pool plans its polls for', () => {
  it('is the share when no last window is known', () => {
    expect(pollPointsFor(o, null)).toBe(13_000);
  });

  it('is what other work left in the last window, up to 80% of the pool with the defaults', () => {
    // Other work spent 20,000: 52,000 - 20,000 are left to polls.
    expect(pollPointsFor(o, { spent: 33_000, polls: 13_000, planned: 13_000 })).toBe(32_000);
    // An idle hour: polls may take the whole 80%.
    expect(pollPointsFor(o, { spent: 0, polls: 0, planned: null })).toBe(52_000);
    expect(pollPointsFor(o, { spent: 10_000, polls: 10_000, planned: 10_000 })).toBe(52_000);
  });

  it('never falls below the share, however much the other work spent', () => {
    expect(pollPointsFor(o, { spent: 50_000, polls: 5_000, planned: 5_000 })).toBe(13_000);
  });

  it('backs off after a window that ran out, since refused calls hide what the rest needs', () => {
    // The polls' cap is 58,500; a window at 98% of it or more ran out.
    expect(pollPointsFor(o, { spent: 58_450, polls: 52_000, planned: 40_000 })).toBe(28_000);
    expect(pollPointsFor(o, { spent: 58_450, polls: 52_000, planned: 15_000 })).toBe(13_000);
    expect(pollPointsFor(o, { spent: 58_450, polls: 0, planned: null })).toBe(13_000);
  });

  it('settles in one window: what the polls spend more comes back as their own cost, not as other work', () => {
    const others = 25_000;
    let planned = pollPointsFor(o, null);
    for (let hour = 0; hour < 3; hour++) {
      planned = pollPointsFor(o, { spent: others + planned, polls: planned, planned });
    }
    expect(planned).toBe(27_000);
  });

  it('keeps a larger reserve for webhooks out of it', () => {
    expect(pollPointsFor({ ...o, webhookReserveShare: 0.3 }, { spent: 0, polls: 0, planned: null })).toBe(
      39_000,
    );
  });

  it('goes down to the share through hours that ran out, and back up to what is left once they end', () => {
    const pollCap = 58_500;
    const day = [70_000, 70_000, 70_000, 20_000, 20_000, 20_000, 20_000];
    let planned: number | null = null;
    const plans: number[] = [];
    for (const others of day) {
      const polls = planned ?? 13_000;
      const next = pollPointsFor(o, { spent: Math.min(pollCap, others + polls), polls, planned });
      plans.push(Math.round(next));
      planned = next;
    }
    expect(plans).toEqual([13_000, 13_000, 13_000, 32_000, 32_000, 32_000, 32_000]);
  });
});

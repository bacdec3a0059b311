import { describe, expect, it } from 'vitest';
import { type CadenceOptions, type PollDemand, planPollIntervals } from '../../../src/sync/poll-cadence.ts';

const HOUR = 3_600_000;
const opts: CadenceOptions = {
  pointsPerWindow: 65_000,
  windowMs: HOUR,
  share: 0.2,
  quietWeight: 4,
  minMs: 60_000,
  maxMs: 6 * HOUR,
  pool: 'app',
};

function sites(count: number, quiet: (i: number) => boolean = () => false, points = 1): PollDemand[] {
  return Array.from({ length: count }, (_, i) => ({
    connectionId: `c${i}`,
    pointsPerPoll: points,
    quiet: quiet(i),
  }));
}

/** Points all polls spend in one window at the planned intervals. */
function pointsPerWindow(demands: readonly PollDemand[], intervals: Map<string, number>): number {
  return demands.reduce((sum, d) => sum + (d.pointsPerPoll * HOUR) / (intervals.get(d.connectionId) ?? 1), 0);
}

describe('poll cadence from the budget', () => {
  it('keeps 10,000 sites polling within 20% of one 65,000-point app budget', () => {
    const demands = sites(10_000, (i) => i % 10 === 0, 1.5);
    const intervals = planPollIntervals(demands, opts);
    expect(pointsPerWindow(demands, intervals)).toBeLessThanOrEqual(0.2 * 65_000 + 1);
    expect(pointsPerWindow(demands, intervals)).toBeGreaterThan(0.19 * 65_000);
  });

  it('polls sites with quiet webhooks quietWeight times more often than healthy ones', () => {
    const demands = sites(2_000, (i) => i === 0);
    const intervals = planPollIntervals(demands, opts);
    const quiet = intervals.get('c0') ?? 0;
    const healthy = intervals.get('c1') ?? 0;
    expect(healthy / quiet).toBeCloseTo(4, 3);
  });

  it('polls a few sites as often as the minimum interval allows', () => {
    const intervals = planPollIntervals(sites(3), opts);
    expect([...intervals.values()]).toEqual([60_000, 60_000, 60_000]);
  });

  it('lengthens intervals as polls get more expensive', () => {
    const cheap =
      planPollIntervals(
        sites(5_000, () => false, 1),
        opts,
      ).get('c0') ?? 0;
    const dear =
      planPollIntervals(
        sites(5_000, () => false, 3),
        opts,
      ).get('c0') ?? 0;
    expect(dear / cheap).toBeCloseTo(3, 5);
  });

  it('never leaves a site unpolled longer than the maximum, even when the budget cannot pay', () => {
    const intervals = planPollIntervals(sites(200_000), opts);
    expect(intervals.get('c0')).toBe(6 * HOUR);
  });

  it('with a pool per site gives each site its own share, whatever the number of sites', () => {
    const perSite = { ...opts, pool: 'site' as const, pointsPerWindow: 1000, minMs: 1000 };
    const few = planPollIntervals(
      sites(2, (i) => i === 0, 10),
      perSite,
    );
    const many = planPollIntervals(
      sites(5_000, (i) => i === 0, 10),
      perSite,
    );
    expect(many.get('c0')).toBe(few.get('c0'));
    // A quiet site spends its whole share: 200 points a window, 20 polls of 10 points.
    expect(few.get('c0')).toBe(HOUR / 20);
    expect(few.get('c1')).toBe((4 * HOUR) / 20);
  });
});

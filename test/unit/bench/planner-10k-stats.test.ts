import { describe, expect, it } from 'vitest';
import { activityTiers, nextChangeGapMs, tierOf } from '../../../bench/planner-10k/change-stream.ts';
import { quantile, scaled, summarize } from '../../../bench/planner-10k/stats.ts';
import { createRandom } from '../../sim/random.ts';

describe('the report statistics', () => {
  it('takes nearest-rank quantiles, so a median or worst is a value that occurred', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile([1, 2, 3, 4], 0.95)).toBe(4);
    expect(quantile([7], 0.5)).toBe(7);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('summarizes unsorted values with their spread, and scales every figure', () => {
    const s = summarize([30, 10, 20, 40]);
    expect(s).toMatchObject({ count: 4, min: 10, median: 20, max: 40, mean: 25, spread: 30 });
    expect(scaled(s, 10)).toMatchObject({ min: 1, median: 2, p95: 4, max: 4, spread: 3 });
  });
});

describe('the change stream', () => {
  it('puts sites into tiers by their shares', () => {
    const random = createRandom(1);
    const counts = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const tier = tierOf(random.next()).name;
      counts.set(tier, (counts.get(tier) ?? 0) + 1);
    }
    for (const tier of activityTiers) {
      expect((counts.get(tier.name) ?? 0) / 20_000).toBeCloseTo(tier.share, 1);
    }
  });

  it('spaces changes by the tier rate on average', () => {
    const random = createRandom(2);
    let total = 0;
    for (let i = 0; i < 10_000; i++) total += nextChangeGapMs(4, random.next());
    expect(total / 10_000 / 60_000).toBeCloseTo(15, 0);
    expect(nextChangeGapMs(0, 0.5)).toBe(Number.POSITIVE_INFINITY);
  });
});

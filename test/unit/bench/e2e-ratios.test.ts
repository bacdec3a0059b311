import { describe, expect, it } from 'vitest';
import { latencyRatios, ratioTable, sustainedRatio } from '../../../bench/e2e-ratios.ts';
import type { LatencyRow } from '../../../bench/e2e-step.ts';

function row(
  pipeline: string,
  phase: LatencyRow['phase'],
  rate: number,
  p50Ms: number,
  p99Ms: number,
): LatencyRow {
  const sent = rate * 10;
  return {
    pipeline,
    phase,
    rate,
    achievedRate: rate,
    sent,
    expected: 2 * sent,
    received: 2 * sent,
    complete: sent,
    p50Ms,
    p99Ms,
    maxMs: p99Ms,
    failures: [],
  };
}

const sustained = (achievedRate: number) => ({
  targetRate: achievedRate,
  achievedRate,
  p99Ms: 300,
  stoppedBecause: '',
});

describe('latencyRatios', () => {
  it('pairs each fixed relay step with the bare step of the same rate', () => {
    const ratios = latencyRatios([
      row('bare', 'fixed', 200, 10, 40),
      row('relay', 'fixed', 200, 20, 50),
      row('bare', 'fixed', 1000, 20, 100),
      row('relay', 'fixed', 1000, 60, 300),
      // Search and split steps are not the fixed rates.
      row('bare', 'search', 1500, 30, 200),
      row('relay', 'search', 1500, 90, 600),
      row('relay', 'split', 200, 25, 55),
    ]);
    expect(ratios.map((r) => [r.rate, r.p50Ratio, r.p99Ratio])).toEqual([
      [200, 2, 1.25],
      [1000, 3, 3],
    ]);
  });

  it('leaves out a rate the bare pipeline did not run', () => {
    expect(latencyRatios([row('relay', 'fixed', 1000, 60, 300), row('bare', 'fixed', 200, 1, 2)])).toEqual(
      [],
    );
  });
});

describe('sustainedRatio', () => {
  it('divides the rates the generator really sent', () => {
    expect(sustainedRatio(sustained(1600), sustained(2000))).toBe(0.8);
  });

  it('is NaN when either pipeline sustained no step', () => {
    expect(sustainedRatio(null, sustained(2000))).toBeNaN();
    expect(sustainedRatio(sustained(200), null)).toBeNaN();
  });
});

describe('ratioTable', () => {
  it('says which goal each ratio meets', () => {
    const table = ratioTable(
      latencyRatios([
        row('bare', 'fixed', 200, 10, 40),
        row('relay', 'fixed', 200, 20, 60),
        row('bare', 'fixed', 1000, 20, 100),
        row('relay', 'fixed', 1000, 60, 151),
      ]),
      { relay: sustained(1500), bare: sustained(2000) },
    );
    const lines = table.split('\n');
    expect(lines.find((l) => l.startsWith('| 200/s'))).toContain('1.50× | p99 ≤ 1.5×: met');
    expect(lines.find((l) => l.startsWith('| 1000/s'))).toContain('1.51× | p99 ≤ 1.5×: **missed**');
    expect(lines.find((l) => l.startsWith('| highest sustained'))).toContain('0.75×');
    expect(lines.find((l) => l.startsWith('| highest sustained'))).toContain('≥ 0.8×: **missed**');
  });
});

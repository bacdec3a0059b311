import { describe, expect, it } from 'vitest';
import {
  type FaultRecord,
  faultRows,
  firstPublishAfter,
  formatTable,
  longestPublishGap,
  readyAgainAfter,
} from '../../../helpers/fleet/recovery.ts';

const sample = (at: number, ...notReady: string[]) => ({ at, notReady });

describe('readyAgainAfter', () => {
  const samples = [sample(0), sample(1000, 'worker-3'), sample(2000, 'worker-3'), sample(3000), sample(4000)];

  it('is the first all-ready probe after the last not-ready one in the window, from the fault', () => {
    expect(readyAgainAfter(samples, 500, 10_000)).toEqual({
      after: 2.5,
      pastWindow: false,
      notReady: ['worker-3'],
    });
  });

  it('is 0 when every probe in the window was all ready', () => {
    expect(readyAgainAfter(samples, 2500, 10_000)).toEqual({ after: 0, pastWindow: false, notReady: [] });
  });

  it('is cut at the window end when the stretch lasts into the next fault', () => {
    expect(readyAgainAfter(samples, 500, 1500)).toEqual({
      after: 1,
      pastWindow: true,
      notReady: ['worker-3'],
    });
  });

  it('is null when the fleet never was all ready again', () => {
    expect(readyAgainAfter([sample(0), sample(1000, 'api-1')], 0, 10_000).after).toBeNull();
  });
});

describe('publish times', () => {
  const times = [100, 200, 300, 2300, 2400];

  it('firstPublishAfter: seconds to the first publish after the moment, null if none', () => {
    expect(firstPublishAfter(times, 300)).toBe(2);
    expect(firstPublishAfter(times, 2400)).toBeNull();
  });

  it('longestPublishGap counts from the window start and up to its end', () => {
    expect(longestPublishGap(times, 250, 2500)).toBe(2);
    expect(longestPublishGap(times, 0, 300)).toBe(0.1);
    expect(longestPublishGap(times, 2400, 5400)).toBe(3);
  });
});

describe('faultRows', () => {
  const fault = (name: string, at: number, backAt: number | undefined, skipped = false): FaultRecord => ({
    name,
    at,
    backAt,
    back: 'back',
    note: '',
    skipped,
  });

  it('gives a baseline row, a dash row for a skipped fault, and figures bounded by the next fault', () => {
    const rows = faultRows(
      [fault('redis', 0, undefined, true), fault('broker', 5000, 9000), fault('worker', 8000, undefined)],
      {
        loadStartedAt: 0,
        loadEndedAt: 12_000,
        publishTimes: [2500, 3000, 4000, 5200, 7000, 11_000],
        samples: [sample(8100, 'worker-3'), sample(9500)],
        windowMs: 10_000,
      },
    );
    expect(rows.map((r) => r.slice(0, 6))).toEqual([
      [
        'fault',
        'at (s)',
        'repaired after (s)',
        'first publish after (s)',
        'longest publish gap (s)',
        'all ready after (s)',
      ],
      ['none (load before the first fault)', '-', '-', '-', '1.0', '-'],
      ['redis', '-', '-', '-', '-', '-'],
      ['broker', '5.0', '4.0 (back)', '0.2', '1.8', '0.0'],
      ['worker', '8.0', 'never', '3.0', '3.0', '1.5 (worker-3)'],
    ]);
  });
});

describe('formatTable', () => {
  it('pads every column to its widest cell, as a Markdown table', () => {
    expect(
      formatTable([
        ['a', 'bb'],
        ['ccc', 'd'],
      ]),
    ).toBe('| a   | bb |\n|-----|----|\n| ccc | d  |');
  });
});

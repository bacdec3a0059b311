import { describe, expect, it } from 'vitest';
import { commandTimesTable, summariseCommandTimes } from '../../../bench/e2e-redis-times.ts';

describe('summariseCommandTimes', () => {
  it('gives count, mean and quantiles per command', () => {
    const times = summariseCommandTimes(
      new Map([
        ['pvClaim', [4, 1, 3, 2]],
        ['pvMark', [10]],
      ]),
    );
    expect(times.pvClaim).toEqual({ count: 4, meanMs: 2.5, p50Ms: 3, p99Ms: 4 });
    expect(times.pvMark).toEqual({ count: 1, meanMs: 10, p50Ms: 10, p99Ms: 10 });
  });
});

describe('commandTimesTable', () => {
  it('counts commands per delivery, most frequent first, blocking reads left out of the total', () => {
    const table = commandTimesTable([
      {
        name: 'relay',
        deliveries: 100,
        times: summariseCommandTimes(
          new Map([
            ['claimDelivery', Array(100).fill(1)],
            ['pvClaim', Array(200).fill(2)],
            ['bzpopmin', Array(7).fill(500)],
          ]),
        ),
      },
    ]);
    const lines = table.split('\n').slice(2);
    expect(lines[0]).toMatch(/^\| relay \| pvClaim \| 2\.00 \|/);
    expect(lines[1]).toMatch(/^\| relay \| claimDelivery \| 1\.00 \|/);
    expect(table).not.toContain('bzpopmin');
    expect(lines[2]).toContain('**3.00**');
  });
});

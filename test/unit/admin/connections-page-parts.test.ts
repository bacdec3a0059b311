import { describe, expect, it } from 'vitest';
import {
  duration,
  percent,
  progressBar,
  progressText,
  sparkline,
} from '../../../src/admin/connections-page-parts.ts';

const t0 = Date.UTC(2030, 0, 1);
const at = (minutes: number) => t0 + minutes * 60_000;

/** The x,y pairs of every polyline, as numbers. */
function lines(svg: string): number[][][] {
  return [...svg.matchAll(/<polyline points="([^"]*)"/g)].map((m) =>
    (m[1] ?? '').split(' ').map((pair) => pair.split(',').map(Number)),
  );
}

describe('sparkline: a value over time as inline SVG', () => {
  it('says there is nothing to draw when the history is empty or holds only unknowns', () => {
    expect(sparkline([], { label: 'lag' })).toContain('no samples yet');
    expect(sparkline([{ at: t0, value: null }], { label: 'lag' })).toContain('no samples yet');
    expect(sparkline([], { label: 'lag' })).not.toContain('<svg');
  });

  it('draws one line from left to right, higher values higher up (smaller y)', () => {
    const svg = sparkline(
      [
        { at: at(0), value: 0 },
        { at: at(5), value: 10 },
        { at: at(10), value: 5 },
      ],
      { label: 'lag', width: 100, height: 20 },
    );
    const [line] = lines(svg);
    expect(line).toHaveLength(3);
    const [a, b, c] = line as [number[], number[], number[]];
    expect(a[0]).toBeLessThan(b[0] as number);
    expect(b[0]).toBeLessThan(c[0] as number);
    expect(b[1]).toBeLessThan(c[1] as number); // 10 above 5
    expect(c[1]).toBeLessThan(a[1] as number); // 5 above 0
    expect(svg).toContain('role="img"');
  });

  it('places points by time, so a pause in sampling shows as a wider step', () => {
    const [line] = lines(
      sparkline(
        [
          { at: at(0), value: 1 },
          { at: at(1), value: 1 },
          { at: at(10), value: 1 },
        ],
        { label: 'x', width: 100 },
      ),
    );
    const xs = (line ?? []).map((p) => p[0] as number);
    expect((xs[2] as number) - (xs[1] as number)).toBeGreaterThan(
      5 * ((xs[1] as number) - (xs[0] as number)),
    );
  });

  it('breaks the line where the value was unknown, and shows a lone known value as a dot', () => {
    const svg = sparkline(
      [
        { at: at(0), value: 1 },
        { at: at(1), value: 2 },
        { at: at(2), value: null },
        { at: at(3), value: 3 },
      ],
      { label: 'x' },
    );
    expect(lines(svg)).toHaveLength(1);
    expect(svg.match(/<circle /g)).toHaveLength(1);
  });

  it('keeps a fixed scale when given one (coverage tops out at 100%)', () => {
    const half = lines(
      sparkline(
        [
          { at: at(0), value: 0.5 },
          { at: at(1), value: 0.5 },
        ],
        { label: 'x', max: 1, height: 22 },
      ),
    );
    expect(half[0]?.[0]?.[1]).toBe(11);
  });

  it('escapes its label', () => {
    const svg = sparkline([{ at: t0, value: 1 }], { label: '<script>"x"</script>' });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;&quot;x&quot;');
  });
});

describe('progressBar: one pass, done out of its estimated total', () => {
  const running = { state: 'running', done: 120, total: 400, ratePerSecond: 4, etaSeconds: 70 } as const;

  it('fills the share done and says the figures', () => {
    const bar = progressBar('backfill', running);
    expect(bar).toContain('width="60"'); // 30% of 200
    expect(bar).toContain('30%');
    expect(progressText(running)).toBe('120 of 400 issues, 4/s, about 70 s left');
  });

  it('is full once done, whatever the estimate said', () => {
    const done = { state: 'done', done: 390, total: 390, ratePerSecond: 5, etaSeconds: 0 } as const;
    expect(progressBar('reconcile', done)).toContain('class="fill" width="200"');
    expect(progressText(done)).toBe('done: 390 of 390 issues, 5/s');
  });

  it('leaves the bar empty without a total, and says so when the pass never ran', () => {
    const unknown = {
      state: 'running',
      done: 50,
      total: null,
      ratePerSecond: null,
      etaSeconds: null,
    } as const;
    expect(progressBar('replay', unknown)).toContain('class="fill" width="0"');
    expect(progressText(unknown)).toBe('50 issues');
    expect(progressBar('replay', null)).toContain('not run yet');
  });
});

describe('figures as words', () => {
  it.each([
    [0, '0 s'],
    [45, '45 s'],
    [600, '10 min'],
    [5400, '90 min'],
    [9000, '2.5 h'],
    [3 * 86_400, '3 d'],
  ])('duration(%i) is %s', (seconds, text) => {
    expect(duration(seconds)).toBe(text);
  });

  it('shows shares as percentages and an unknown one as a dash', () => {
    expect(percent(0.974)).toBe('97%');
    expect(percent(null)).toBe('–');
  });
});

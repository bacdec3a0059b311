import type { LatencyRow } from './e2e-step.ts';

/** The highest step that passed, with the rate the generator really achieved there. */
export interface SustainedRate {
  readonly targetRate: number;
  readonly achievedRate: number;
  readonly p99Ms: number;
  /** Why the search stopped: the first failing step, or the time budget. */
  readonly stoppedBecause: string;
}

/** The goals, as ratios to the bare pipeline measured in the same run. */
export const ratioGoals = { p99AtMost: 1.5, sustainedAtLeast: 0.8 } as const;

export interface LatencyRatio {
  readonly rate: number;
  readonly relay: LatencyRow;
  readonly bare: LatencyRow;
  readonly p50Ratio: number;
  readonly p99Ratio: number;
}

/** The relay's fixed steps against the bare pipeline's at the same rate, where both ran. */
export function latencyRatios(rows: readonly LatencyRow[]): LatencyRatio[] {
  const fixed = rows.filter((r) => r.phase === 'fixed');
  return fixed
    .filter((r) => r.pipeline === 'relay')
    .flatMap((relay) => {
      const bare = fixed.find((r) => r.pipeline === 'bare' && r.rate === relay.rate);
      return bare
        ? [
            {
              rate: relay.rate,
              relay,
              bare,
              p50Ratio: relay.p50Ms / bare.p50Ms,
              p99Ratio: relay.p99Ms / bare.p99Ms,
            },
          ]
        : [];
    });
}

/** Relay over bare sustained rate (as sent); NaN when either found none. */
export function sustainedRatio(relay: SustainedRate | null, bare: SustainedRate | null): number {
  return relay && bare ? relay.achievedRate / bare.achievedRate : Number.NaN;
}

const x = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : '–');
const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');

/** The ratio rows of the report: p50 and p99 per fixed rate, and the sustained rates. */
export function ratioTable(
  ratios: readonly LatencyRatio[],
  sustained: { readonly relay: SustainedRate | null; readonly bare: SustainedRate | null },
): string {
  const lines = ratios.map(
    (r) =>
      `| ${r.rate}/s | ${r.relay.p50Ms} / ${r.relay.p99Ms} ms | ${r.bare.p50Ms} / ${r.bare.p99Ms} ms | ${x(r.p50Ratio)} | ${x(r.p99Ratio)} | p99 ≤ ${ratioGoals.p99AtMost}×: ${verdict(r.p99Ratio <= ratioGoals.p99AtMost)} |`,
  );
  const s = sustainedRatio(sustained.relay, sustained.bare);
  const rate = (v: SustainedRate | null) => (v ? `${v.achievedRate}/s` : 'none');
  lines.push(
    `| highest sustained | ${rate(sustained.relay)} | ${rate(sustained.bare)} | ${x(s)} | | ≥ ${ratioGoals.sustainedAtLeast}×: ${Number.isNaN(s) ? '–' : verdict(s >= ratioGoals.sustainedAtLeast)} |`,
  );
  return [
    '| step | relay p50 / p99 | bare p50 / p99 | p50 × bare (sustained: rate × bare) | p99 × bare | goal |',
    '|---|---|---|---|---|---|',
    ...lines,
  ].join('\n');
}

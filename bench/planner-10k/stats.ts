/** A distribution as the report shows it. */
export interface Summary {
  readonly count: number;
  readonly min: number;
  readonly median: number;
  readonly p95: number;
  readonly max: number;
  readonly mean: number;
  /** max - min: how unevenly the quantity is spread (0 is perfectly even). */
  readonly spread: number;
}

/**
 * Nearest-rank quantile of sorted values (q in [0, 1]): always a value that occurred, so a "worst"
 * or "median" recovery time in the report is one a change really had.
 */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] as number;
}

/** min, median, p95, max, mean and max - min of the values; NaN everywhere when there are none. */
export function summarize(values: Iterable<number>): Summary {
  const sorted = Float64Array.from(values).sort();
  const list = Array.from(sorted);
  const count = list.length;
  const min = count > 0 ? (list[0] as number) : Number.NaN;
  const max = count > 0 ? (list[count - 1] as number) : Number.NaN;
  let sum = 0;
  for (const v of list) sum += v;
  return {
    count,
    min,
    median: quantile(list, 0.5),
    p95: quantile(list, 0.95),
    max,
    mean: count > 0 ? sum / count : Number.NaN,
    spread: max - min,
  };
}

/** The same summary with every figure divided by `unit` (ms to minutes, for instance). */
export function scaled(summary: Summary, unit: number): Summary {
  return {
    count: summary.count,
    min: summary.min / unit,
    median: summary.median / unit,
    p95: summary.p95 / unit,
    max: summary.max / unit,
    mean: summary.mean / unit,
    spread: summary.spread / unit,
  };
}

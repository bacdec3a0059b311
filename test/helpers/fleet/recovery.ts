/** One probe of the whole fleet: which members did not answer /readyz 200. */
export interface ReadinessSample {
  /** When the probe was sent (epoch ms). */
  readonly at: number;
  readonly notReady: readonly string[];
}

/** One fault as it happened. */
export interface FaultRecord {
  readonly name: string;
  /** When it was injected (epoch ms). */
  readonly at: number;
  /** When its own repair was seen (a replica promoted, the broker back, the replacement ready). */
  readonly backAt: number | undefined;
  /** What `backAt` is, for the table. */
  readonly back: string;
  readonly note: string;
  /** Not injected (say why in `note`): no figures are computed for it. */
  readonly skipped: boolean;
}

/** How long after a fault the whole fleet was ready again, and who was not. */
export interface ReadyAgain {
  /** Seconds; 0 when nobody was not ready; null when the fleet never was all ready again. */
  readonly after: number | null;
  /** The stretch ran past the window (into the next fault): `after` is the window's length. */
  readonly pastWindow: boolean;
  readonly notReady: readonly string[];
}

/**
 * From `from`, looking at the not-ready samples taken in [from, until): the first all-ready
 * sample after the last of them. A stretch that lasts past `until` is cut there, since the next
 * fault may be what keeps it going.
 */
export function readyAgainAfter(
  samples: readonly ReadinessSample[],
  from: number,
  until: number,
): ReadyAgain {
  const down = samples.filter((s) => s.at >= from && s.at < until && s.notReady.length > 0);
  const last = down.at(-1);
  if (!last) return { after: 0, pastWindow: false, notReady: [] };
  const up = samples.find((s) => s.at > last.at && s.notReady.length === 0);
  const notReady = [...new Set(down.flatMap((s) => s.notReady))].sort();
  if (up && up.at > until) return { after: (until - from) / 1000, pastWindow: true, notReady };
  return { after: up ? (up.at - from) / 1000 : null, pastWindow: false, notReady };
}

/** Seconds from `at` to the first publish after it (Kafka timestamps, sorted); null: none. */
export function firstPublishAfter(timestamps: readonly number[], at: number): number | null {
  const first = timestamps.find((t) => t > at);
  return first === undefined ? null : (first - at) / 1000;
}

/**
 * The longest stretch without a publish in [from, to], counted from `from` (a stall that began
 * with the fault counts whole), in seconds. Needs the load to be producing throughout the window.
 */
export function longestPublishGap(timestamps: readonly number[], from: number, to: number): number {
  let last = from;
  let longest = 0;
  for (const t of timestamps) {
    if (t <= from) continue;
    if (t > to) break;
    longest = Math.max(longest, t - last);
    last = t;
  }
  return Math.max(longest, to - last) / 1000;
}

const seconds = (s: number | null | undefined) =>
  s === null ? 'never' : s === undefined ? '-' : s.toFixed(1);

const readyCell = (r: ReadyAgain) => {
  const after = `${r.pastWindow ? '>' : ''}${seconds(r.after)}`;
  return r.notReady.length === 0 ? after : `${after} (${r.notReady.join(', ')})`;
};

/**
 * The fault table's rows: per fault, when it hit (seconds into the load), its own repair, the
 * first publish after it, the longest publish gap in the `windowMs` after it (the window ends at the
 * next fault or at the load's end) and when every process was ready again.
 */
export function faultRows(
  faults: readonly FaultRecord[],
  ctx: {
    readonly loadStartedAt: number;
    readonly loadEndedAt: number;
    readonly publishTimes: readonly number[];
    readonly samples: readonly ReadinessSample[];
    readonly windowMs: number;
  },
): string[][] {
  const header = ['fault', 'at (s)', 'repaired after (s)', 'first publish after (s)'];
  const rows = [[...header, 'longest publish gap (s)', 'all ready after (s)', 'note']];
  const injected = faults.filter((f) => !f.skipped);
  const firstAt = injected[0]?.at ?? ctx.loadEndedAt;
  const baselineFrom = ctx.loadStartedAt + 2000;
  rows.push([
    'none (load before the first fault)',
    '-',
    '-',
    '-',
    seconds(longestPublishGap(ctx.publishTimes, baselineFrom, Math.max(baselineFrom, firstAt))),
    '-',
    'baseline',
  ]);
  for (const f of faults) {
    if (f.skipped) {
      rows.push([f.name, '-', '-', '-', '-', '-', f.note]);
      continue;
    }
    const next = injected[injected.indexOf(f) + 1]?.at ?? Number.POSITIVE_INFINITY;
    const windowEnd = Math.min(f.at + ctx.windowMs, next, ctx.loadEndedAt);
    rows.push([
      f.name,
      seconds((f.at - ctx.loadStartedAt) / 1000),
      f.backAt === undefined ? 'never' : `${seconds((f.backAt - f.at) / 1000)} (${f.back})`,
      seconds(firstPublishAfter(ctx.publishTimes, f.at)),
      seconds(longestPublishGap(ctx.publishTimes, f.at, Math.max(f.at, windowEnd))),
      readyCell(readyAgainAfter(ctx.samples, f.at, next)),
      f.note,
    ]);
  }
  return rows;
}

/** Rows as a fixed-width text table (the first row is the header), for console.log. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  const line = (r: readonly string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  const [header, ...body] = rows;
  return [line(header ?? []), rule, ...body.map(line)].join('\n');
}

/** Round trips of one Redis command (or script) as a process saw them, from send to reply. */
export interface CommandTime {
  readonly count: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export type CommandTimes = Readonly<Record<string, CommandTime>>;

/** Counts and round-trip quantiles per command name, from raw durations in ms. */
export function summariseCommandTimes(samples: ReadonlyMap<string, readonly number[]>): CommandTimes {
  const out: Record<string, CommandTime> = {};
  for (const [name, values] of samples) {
    const sorted = [...values].sort((a, b) => a - b);
    const at = (q: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
    const sum = sorted.reduce((a, b) => a + b, 0);
    out[name] = { count: sorted.length, meanMs: sum / sorted.length, p50Ms: at(0.5), p99Ms: at(0.99) };
  }
  return out;
}

/** Commands that wait on purpose (a worker's BZPOPMIN, a reader's XREAD): their times are not round trips. */
const blocking = new Set([
  'bzpopmin',
  'bzpopmax',
  'blpop',
  'brpop',
  'brpoplpush',
  'blmove',
  'xread',
  'xreadgroup',
]);

/** One row per command: how many per delivery, and their round trips. Most frequent first. */
export function commandTimesTable(
  pipelines: readonly { readonly name: string; readonly deliveries: number; readonly times: CommandTimes }[],
): string {
  const lines: string[] = [];
  for (const { name, deliveries, times } of pipelines) {
    const rows = Object.entries(times)
      .filter(([command]) => !blocking.has(command))
      .sort(([, a], [, b]) => b.count - a.count);
    for (const [command, t] of rows) {
      lines.push(
        `| ${name} | ${command} | ${(t.count / deliveries).toFixed(2)} | ${t.meanMs.toFixed(2)} | ${t.p50Ms.toFixed(2)} | ${t.p99Ms.toFixed(2)} |`,
      );
    }
    const total = rows.reduce((sum, [, t]) => sum + t.count, 0);
    lines.push(`| ${name} | **all but blocking reads** | **${(total / deliveries).toFixed(2)}** | | | |`);
  }
  return [
    '| pipeline | command (script by name) | per delivery | mean ms | p50 ms | p99 ms |',
    '|---|---|---|---|---|---|',
    ...lines,
  ].join('\n');
}

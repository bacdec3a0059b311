import { escapeHtml } from '../http/escape-html.ts';
import type { ProgressFigures } from '../sync/progress-figures.ts';

/** What a progress bar shows of a pass (the admin API's figures, with or without ISO times). */
export type PassFigures = Pick<ProgressFigures, 'state' | 'done' | 'total' | 'ratePerSecond' | 'etaSeconds'>;

/** One point of a line: when, and the value (null: nothing was known then, drawn as a gap). */
export interface LinePoint {
  readonly at: number;
  readonly value: number | null;
}

interface SparklineOptions {
  /** Read by screen readers and shown as a tooltip: what the line is. */
  readonly label: string;
  /** The top of the scale; default the largest value (a flat line of zeros sits at the bottom). */
  readonly max?: number;
  readonly width?: number;
  readonly height?: number;
}

/**
 * A small inline SVG line of values over time (x by time, so a gap in sampling shows as one).
 * Unknown values break the line; a lone known value is a dot. Without any known value it says so
 * in words instead of drawing an empty box.
 */
export function sparkline(points: readonly LinePoint[], opts: SparklineOptions): string {
  const width = opts.width ?? 160;
  const height = opts.height ?? 32;
  const known = points.filter((p) => p.value !== null);
  const label = escapeHtml(opts.label);
  if (known.length === 0) return `<span class="muted" title="${label}">no samples yet</span>`;
  const first = points[0]?.at ?? 0;
  const span = Math.max(1, (points.at(-1)?.at ?? first) - first);
  const max = opts.max ?? Math.max(...known.map((p) => p.value ?? 0));
  const pad = 2;
  const x = (at: number) =>
    round(points.length === 1 ? width / 2 : pad + ((at - first) / span) * (width - 2 * pad));
  const y = (v: number) => round(height - pad - (max > 0 ? Math.min(v, max) / max : 0) * (height - 2 * pad));
  const runs: string[][] = [[]];
  for (const p of points) {
    if (p.value === null) runs.push([]);
    else runs.at(-1)?.push(`${x(p.at)},${y(p.value)}`);
  }
  const shapes = runs
    .filter((run) => run.length > 0)
    .map((run) => {
      if (run.length > 1) return `<polyline points="${run.join(' ')}"/>`;
      const [cx, cy] = (run[0] ?? '0,0').split(',');
      return `<circle cx="${cx}" cy="${cy}" r="2"/>`;
    });
  return `<svg class="spark" role="img" aria-label="${label}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><title>${label}</title><rect width="${width}" height="${height}"/>${shapes.join('')}</svg>`;
}

/** The figures of one pass as words: "120 of 400 issues, 3.5/s, about 1 min left". */
export function progressText(figures: PassFigures): string {
  const of = figures.total === null ? '' : ` of ${figures.total}`;
  const rate = figures.ratePerSecond === null ? '' : `, ${figures.ratePerSecond}/s`;
  if (figures.state === 'done') return `done: ${figures.done}${of} issues${rate}`;
  const eta = figures.etaSeconds === null ? '' : `, about ${duration(figures.etaSeconds)} left`;
  return `${figures.done}${of} issues${rate}${eta}`;
}

/**
 * A progress bar for one pass (backfill, reconcile, replay): the share of its estimated total done,
 * with the figures beside it. Without a total (Jira gave no estimate) the bar is left empty and the
 * words say how far it got; `null` means the pass never ran.
 */
export function progressBar(kind: string, figures: PassFigures | null): string {
  const name = escapeHtml(kind);
  if (figures === null)
    return `<div class="pass"><span class="kind">${name}</span> <span class="muted">not run yet</span></div>`;
  const share = figures.state === 'done' ? 1 : figures.total ? Math.min(1, figures.done / figures.total) : 0;
  const text = escapeHtml(progressText(figures));
  const width = 200;
  const fill = round(share * width);
  const percent = Math.floor(share * 100);
  return `<div class="pass ${figures.state}"><span class="kind">${name}</span> <svg class="bar" role="img" aria-label="${name} ${percent}%: ${text}" width="${width}" height="12" viewBox="0 0 ${width} 12"><rect class="track" width="${width}" height="12" rx="3"/><rect class="fill" width="${fill}" height="12" rx="3"/></svg> <span class="figures">${percent}% · ${text}</span></div>`;
}

/** Seconds as an operator reads them: "45 s", "12 min", "3.5 h", "2 d". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 360) / 10} h`;
  return `${Math.round(s / 8640) / 10} d`;
}

/** A share (0 to 1) as a whole percentage; null as a dash. */
export function percent(share: number | null): string {
  return share === null ? '–' : `${Math.round(share * 100)}%`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

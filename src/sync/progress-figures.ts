import type { ProgressRecord } from '../state/sync-progress.ts';

/** One pass's progress as operators read it (the admin API). */
export interface ProgressFigures {
  readonly state: 'running' | 'done';
  /** Issues read so far. */
  readonly done: number;
  /** Issues expected in all (Jira's approximate count, never below `done`); null when unknown. */
  readonly total: number | null;
  /** Issues per second over the run so far; null before the first page. */
  readonly ratePerSecond: number | null;
  /** Seconds left at that rate; 0 once done, null without a total or a rate. */
  readonly etaSeconds: number | null;
  readonly startedAt: number;
  readonly updatedAt: number;
  readonly finishedAt: number | null;
}

/**
 * Rate and ETA of a pass from its record (pure): the rate is the issues read over the run's time
 * so far (to its last page, or its end), so a pass waiting for the budget shows a falling rate
 * only once it reads again, and the ETA is what is left of the total at that rate.
 */
export function progressFigures(record: ProgressRecord): ProgressFigures {
  const end = record.finishedAt ?? record.updatedAt;
  const seconds = (end - record.startedAt) / 1000;
  const ratePerSecond = record.done > 0 && seconds > 0 ? round(record.done / seconds) : null;
  const total = record.total === null ? null : Math.max(record.total, record.done);
  const done = record.finishedAt !== null;
  let etaSeconds: number | null = null;
  if (done) etaSeconds = 0;
  else if (total !== null && ratePerSecond !== null)
    etaSeconds = Math.ceil((total - record.done) / ratePerSecond);
  return {
    state: done ? 'done' : 'running',
    done: record.done,
    total,
    ratePerSecond,
    etaSeconds,
    startedAt: record.startedAt,
    updatedAt: record.updatedAt,
    finishedAt: record.finishedAt,
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

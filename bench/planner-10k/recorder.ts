import type { PlanOutcome } from '../../src/sync/sync-planner.ts';
import type { Metered } from './redis-meter.ts';
import type { Recovery } from './site-model.ts';

/** One planning round: the real planner, timed alone. */
export interface PlanRound {
  readonly at: number;
  /** How long its job waited in line behind polls and reconciles. */
  readonly waitedMs: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly commands: number;
  readonly roundTrips: number;
  readonly outcome: PlanOutcome;
}

/** One window (hour): points the budget charged, and how often it said no. */
export interface HourPoints {
  readonly start: number;
  readonly total: number;
  readonly maxSite: number;
  /** Jobs the budget refused (postponed) in the hour. */
  readonly refusals: number;
  /** Of those, refused jobs the simulation sent to the next window rather than ask again (the storm shortcut). */
  readonly deferred: number;
  /** Mean real time of the budget's check before a modelled job (its Lua script and a round trip), ms. */
  readonly budgetCheckMs: number;
}

/**
 * What the simulation observes, as it happens. Figures about recovery, poll gaps and queueing
 * count only from `measureFrom` (after the warm-up); hourly points and plan rounds are kept for
 * the whole run.
 */
export class Recorder {
  readonly measureFrom: number;
  readonly recoveredByPoll: number[] = [];
  readonly recoveredByWebhook: number[] = [];
  readonly planRounds: PlanRound[] = [];
  readonly hours: HourPoints[] = [];
  /** Starts of jobs after their due time (ms), polls only. */
  readonly pollWaits: number[] = [];
  readonly refusals = new Map<string, number>();
  /** Modelled sites' charges by kind over the whole run (see `charged`). */
  readonly pointsByKind = new Map<string, number>();
  /** Jobs whose budget check failed with a Redis error, by job and message. */
  readonly failures = new Map<string, number>();
  readonly jobs = new Map<string, number>();
  /**
   * Real sites: the points their polls reported against the model's prediction, and (after the
   * warm-up) what the model would have charged them in all, to set beside what the budget charged.
   */
  readonly modelCheck = {
    polls: 0,
    samePoints: 0,
    predictedPoints: 0,
    realPoints: 0,
    failed: 0,
    predictedCharge: 0,
  };
  /** Changes whose webhook was delivered or lost (after the warm-up). */
  readonly changes = { delivered: 0, lost: 0 };
  longestLine = 0;
  /** Refusals in the hour running now. */
  refusedThisHour = 0;
  /** Refused jobs sent to the next window in the hour running now (the storm shortcut). */
  deferredThisHour = 0;
  #checkMs = 0;
  #checks = 0;
  readonly #recoveriesBySite = new Map<number, number[]>();
  readonly #gapSum: Float64Array;
  readonly #gapCount: Uint32Array;
  readonly #gapMax: Float64Array;
  #lifetimeAtStart: Record<string, number> | null = null;
  #lastLifetime: Record<string, number> = {};

  constructor(sites: number, measureFrom: number) {
    this.measureFrom = measureFrom;
    this.#gapSum = new Float64Array(sites);
    this.#gapCount = new Uint32Array(sites);
    this.#gapMax = new Float64Array(sites);
  }

  /** Lost changes of site `index` published at last, by a poll or a later webhook. */
  recovered(index: number, recoveries: readonly Recovery[]): void {
    for (const r of recoveries) {
      if (r.lostAt < this.measureFrom) continue;
      (r.by === 'poll' ? this.recoveredByPoll : this.recoveredByWebhook).push(r.afterMs);
      this.#recoveriesBySite.set(index, [...(this.#recoveriesBySite.get(index) ?? []), r.afterMs]);
    }
  }

  /** Each site's recovery times (ms), for the sites that lost a change after the warm-up. */
  recoveriesBySite(): number[][] {
    return [...this.#recoveriesBySite.values()];
  }

  changed(at: number, delivered: boolean): void {
    if (at < this.measureFrom) return;
    if (delivered) this.changes.delivered++;
    else this.changes.lost++;
  }

  /** A poll of site `index` started at `at`, due at `dueAt`, the previous one having started at `previous`. */
  pollStarted(index: number, at: number, dueAt: number, previous: number | null): void {
    if (at < this.measureFrom) return;
    this.pollWaits.push(at - dueAt);
    if (previous === null || previous < this.measureFrom) return;
    const gap = at - previous;
    this.#gapSum[index] = (this.#gapSum[index] ?? 0) + gap;
    this.#gapCount[index] = (this.#gapCount[index] ?? 0) + 1;
    this.#gapMax[index] = Math.max(this.#gapMax[index] ?? 0, gap);
  }

  /** Mean and longest gap between two polls of each site (NaN for a site polled less than twice). */
  gaps(): { mean: number[]; max: number[] } {
    const mean = Array.from(this.#gapSum, (sum, i) => sum / (this.#gapCount[i] || Number.NaN));
    const max = Array.from(this.#gapMax, (gap, i) => ((this.#gapCount[i] ?? 0) > 0 ? gap : Number.NaN));
    return { mean, max };
  }

  count(map: Map<string, number>, key: string): void {
    map.set(key, (map.get(key) ?? 0) + 1);
  }

  /** Points the model charged a modelled site's job, by kind (the real sites' are the budget's only). */
  charged(kind: string, points: number): void {
    if (points > 0) this.pointsByKind.set(kind, (this.pointsByKind.get(kind) ?? 0) + points);
  }

  refused(what: string): void {
    this.count(this.refusals, what);
    this.refusedThisHour++;
  }

  /** A budget check before a modelled job took `ms` of real time. */
  checked(ms: number): void {
    this.#checkMs += ms;
    this.#checks++;
  }

  planned(at: number, waitedMs: number, metered: Metered<PlanOutcome>): void {
    const { wallMs, cpuMs, commands, roundTrips, value } = metered;
    this.planRounds.push({ at, waitedMs, wallMs, cpuMs, commands, roundTrips, outcome: value });
  }

  /** Rounds that rescheduled more than a tenth of the sites (each of those is polled at once). */
  wideReschedules(): Array<{ readonly at: number; readonly rescheduled: number }> {
    return this.planRounds
      .filter((r) => r.outcome.rescheduled > r.outcome.connections / 10)
      .map((r) => ({ at: r.at, rescheduled: r.outcome.rescheduled }));
  }

  /** The budget's lifetime points by site at the end of the window that started at `start`. */
  hourEnded(start: number, lifetime: Record<string, number>): void {
    let total = 0;
    let maxSite = 0;
    for (const [site, points] of Object.entries(lifetime)) {
      const spent = points - (this.#lastLifetime[site] ?? 0);
      total += spent;
      maxSite = Math.max(maxSite, spent);
    }
    const budgetCheckMs = this.#checks > 0 ? this.#checkMs / this.#checks : 0;
    const { refusedThisHour: refusals, deferredThisHour: deferred } = this;
    this.hours.push({ start, total, maxSite, refusals, deferred, budgetCheckMs });
    this.#lastLifetime = lifetime;
    this.refusedThisHour = 0;
    this.deferredThisHour = 0;
    this.#checkMs = 0;
    this.#checks = 0;
  }

  /** The budget's lifetime points by site when the simulated day starts (setup spent the rest). */
  started(lifetime: Record<string, number>): void {
    this.#lastLifetime = lifetime;
  }

  /** The budget's lifetime points by site when the warm-up ends: the per-site figures count from here. */
  warmupEnded(lifetime: Record<string, number>): void {
    this.#lifetimeAtStart = lifetime;
  }

  /** Points each site spent from the end of the warm-up to `lifetime` (the end of the run). */
  pointsSinceWarmup(lifetime: Record<string, number>, hosts: readonly string[]): number[] {
    const start = this.#lifetimeAtStart ?? {};
    return hosts.map((h) => (lifetime[h] ?? 0) - (start[h] ?? 0));
  }
}

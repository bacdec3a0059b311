import type { PlanOutcome } from '../../src/sync/sync-planner.ts';
import type { Calibration } from './calibrate.ts';
import { activityTiers } from './change-stream.ts';
import { inBatches, type Site } from './fleet.ts';
import type { BenchOptions, KnobSet } from './options.ts';
import type { HourPoints, PlanRound, Recorder } from './recorder.ts';
import type { Metered } from './redis-meter.ts';
import type { BenchStack } from './stack.ts';
import { quantile, type Summary, scaled, summarize } from './stats.ts';

const MINUTE = 60_000;

/** The configuration values the figures depend on, as config/schema/ names them. */
const knobNames = [
  'JIRA_POINTS_PER_HOUR',
  'JIRA_RATE_POOL',
  'JIRA_BUDGET_WINDOW_SECONDS',
  'JIRA_RECONCILE_BUDGET_SHARE',
  'JIRA_BUDGET_WEBHOOK_RESERVE_SHARE',
  'JIRA_BUDGET_POLL_RESERVE_SHARE',
  'JIRA_SEARCH_PAGE_SIZE',
  'SYNC_POLL_MIN_INTERVAL_SECONDS',
  'SYNC_POLL_MAX_INTERVAL_SECONDS',
  'SYNC_PLAN_INTERVAL_SECONDS',
  'SYNC_QUIET_POLL_WEIGHT',
  'SYNC_QUIET_SHARE',
  'SYNC_COVERAGE_BUCKET_SECONDS',
  'SYNC_PROJECTS_CACHE_SECONDS',
  'SYNC_POLL_OVERLAP_MS',
  'SYNC_RECONCILE_INTERVAL_SECONDS',
  'SYNC_WORKER_CONCURRENCY',
] as const;

/** Per-tier figures: how many sites, what each spent, how often it was polled. */
interface TierFigures {
  readonly sites: number;
  readonly changesPerHour: number;
  readonly points: Summary;
  readonly observedIntervalMin: Summary;
}

/** Everything one pool mode measured; the report renders it, the JSON keeps it. */
export interface ModeResult {
  readonly pool: 'app' | 'site';
  /** The knob set: `defaults`, or `scale` (docs/scale-10k-sites.md). */
  readonly knobs: KnobSet['name'];
  readonly run: {
    readonly sites: number;
    readonly realSites: number;
    readonly issuesPerSite: number;
    readonly hours: number;
    readonly warmupHours: number;
    readonly dropRate: number;
    readonly workerSlots: number;
    readonly jobMs: number;
    readonly wallSeconds: number;
  };
  /** The configuration values the figures depend on, as the mode ran with them. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly calibration: Calibration;
  /** The planning round at start-up, which reschedules every site (BullMQ's share measured apart). */
  readonly firstRound: Omit<PlanRound, 'at' | 'waitedMs'>;
  readonly plannedIntervalMin: Summary;
  readonly observedIntervalMin: Summary;
  readonly longestGapMin: Summary;
  readonly pollWaitMin: Summary;
  readonly changes: { readonly delivered: number; readonly lost: number };
  readonly recoveryMin: {
    readonly byPoll: Summary;
    readonly byWebhook: Summary;
    /** Lost changes not published when the run ended, and how long the oldest had waited. */
    readonly pending: number;
    readonly pendingOldestMin: number;
    /** Over the sites that lost a change: each site's median, and each site's worst, recovery. */
    readonly perSiteMedian: Summary;
    readonly perSiteWorst: Summary;
  };
  /** Planning rounds that rescheduled more than a tenth of the sites: hours into the day, and how many. */
  readonly wideReschedules: ReadonlyArray<{ readonly hour: number; readonly rescheduled: number }>;
  /** Points each site spent after the warm-up (all priorities), and per hour. */
  readonly pointsPerSite: Summary;
  readonly pointsPerSitePerHour: Summary;
  readonly tiers: Readonly<Record<string, TierFigures>>;
  readonly hours: readonly HourPoints[];
  readonly planRounds: {
    readonly count: number;
    readonly wallMs: Summary;
    readonly cpuMs: Summary;
    readonly commands: Summary;
    readonly roundTrips: Summary;
    readonly waitedMin: Summary;
    readonly quietSites: Summary;
    readonly rescheduled: Summary;
    readonly first: PlanRound | null;
  };
  readonly jobs: Readonly<Record<string, number>>;
  readonly refusals: Readonly<Record<string, number>>;
  /** What the modelled sites' jobs were charged, by kind, over the whole run. */
  readonly pointsByKind: Readonly<Record<string, number>>;
  readonly failures: Readonly<Record<string, number>>;
  /** The recorder's check, and what the budget charged the real sites after the warm-up. */
  readonly modelCheck: Recorder['modelCheck'] & { readonly realCharge: number };
  readonly longestLine: number;
}

export async function modeResult(input: {
  readonly stack: BenchStack;
  readonly sites: readonly Site[];
  readonly recorder: Recorder;
  readonly calibration: Calibration;
  readonly firstRound: Metered<PlanOutcome>;
  readonly opts: BenchOptions;
  readonly mode: { readonly pool: 'app' | 'site'; readonly knobs: KnobSet };
  readonly wallSeconds: number;
  /** Virtual epoch ms the simulated day started. */
  readonly dayStart: number;
}): Promise<ModeResult> {
  const { stack, sites, recorder, opts } = input;
  const end = stack.sim.clock.now();
  const planned = new Map<string, number>();
  await inBatches(sites, 200, async (s) => {
    planned.set(s.connection.id, (await stack.sync.cursors.poll(s.connection.id)).intervalMs ?? Number.NaN);
  });
  const gaps = recorder.gaps();
  const points = recorder.pointsSinceWarmup(
    await stack.budget.lifetimePoints(),
    sites.map((s) => s.ref.host),
  );
  // Per-hour figures only when the run got past the warm-up.
  const measuredHours = end > recorder.measureFrom ? (end - recorder.measureFrom) / 3_600_000 : Number.NaN;
  const pending = sites.flatMap((s) => s.model.lost.filter((l) => l.at >= recorder.measureFrom));
  const bySite = recorder.recoveriesBySite().map((r) => [...r].sort((a, b) => a - b));
  const { wallMs, cpuMs, commands, roundTrips, value } = input.firstRound;
  return {
    pool: input.mode.pool,
    knobs: input.mode.knobs.name,
    run: {
      sites: sites.length,
      realSites: sites.filter((s) => s.real).length,
      issuesPerSite: opts.issuesPerSite,
      hours: opts.hours,
      warmupHours: opts.warmupHours,
      dropRate: opts.dropRate,
      workerSlots: opts.workers * stack.config.SYNC_WORKER_CONCURRENCY,
      jobMs: opts.jobMs,
      wallSeconds: input.wallSeconds,
    },
    config: Object.fromEntries(knobNames.map((k) => [k, stack.config[k]])),
    calibration: input.calibration,
    firstRound: { wallMs, cpuMs, commands, roundTrips, outcome: value },
    plannedIntervalMin: scaled(
      summarize(sites.map((s) => planned.get(s.connection.id) ?? Number.NaN)),
      MINUTE,
    ),
    observedIntervalMin: scaled(summarize(gaps.mean.filter(Number.isFinite)), MINUTE),
    longestGapMin: scaled(summarize(gaps.max.filter(Number.isFinite)), MINUTE),
    pollWaitMin: scaled(summarize(recorder.pollWaits), MINUTE),
    changes: recorder.changes,
    recoveryMin: {
      byPoll: scaled(summarize(recorder.recoveredByPoll), MINUTE),
      byWebhook: scaled(summarize(recorder.recoveredByWebhook), MINUTE),
      pending: pending.length,
      pendingOldestMin: pending.length > 0 ? (end - Math.min(...pending.map((l) => l.at))) / MINUTE : 0,
      perSiteMedian: scaled(summarize(bySite.map((r) => quantile(r, 0.5))), MINUTE),
      perSiteWorst: scaled(summarize(bySite.map((r) => r.at(-1) ?? Number.NaN)), MINUTE),
    },
    wideReschedules: recorder
      .wideReschedules()
      .map((r) => ({ hour: (r.at - input.dayStart) / 3_600_000, rescheduled: r.rescheduled })),
    pointsPerSite: summarize(points),
    pointsPerSitePerHour: summarize(points.map((p) => p / measuredHours)),
    tiers: tierFigures(sites, points, gaps.mean),
    hours: recorder.hours,
    planRounds: planFigures(recorder.planRounds),
    jobs: Object.fromEntries(recorder.jobs),
    refusals: Object.fromEntries(recorder.refusals),
    pointsByKind: Object.fromEntries(recorder.pointsByKind),
    failures: Object.fromEntries(recorder.failures),
    modelCheck: {
      ...recorder.modelCheck,
      realCharge: sites.filter((s) => s.real).reduce((sum, s) => sum + (points[s.index] ?? 0), 0),
    },
    longestLine: recorder.longestLine,
  };
}

function tierFigures(sites: readonly Site[], points: readonly number[], gaps: readonly number[]) {
  return Object.fromEntries(
    activityTiers.map((tier) => {
      const members = sites.filter((s) => s.tier.name === tier.name);
      const figures: TierFigures = {
        sites: members.length,
        changesPerHour: tier.changesPerHour,
        points: summarize(members.map((s) => points[s.index] ?? 0)),
        observedIntervalMin: scaled(
          summarize(members.map((s) => gaps[s.index] ?? Number.NaN).filter(Number.isFinite)),
          MINUTE,
        ),
      };
      return [tier.name, figures];
    }),
  );
}

function planFigures(rounds: readonly PlanRound[]): ModeResult['planRounds'] {
  const of = (pick: (r: PlanRound) => number) => summarize(rounds.map(pick));
  return {
    count: rounds.length,
    wallMs: of((r) => r.wallMs),
    cpuMs: of((r) => r.cpuMs),
    commands: of((r) => r.commands),
    roundTrips: of((r) => r.roundTrips),
    waitedMin: scaled(
      of((r) => r.waitedMs),
      MINUTE,
    ),
    quietSites: of((r) => r.outcome.quiet),
    rescheduled: of((r) => r.outcome.rescheduled),
    first: rounds[0] ?? null,
  };
}

import type { BudgetCheckCost } from './budget-cost.ts';
import type { RescheduleCost } from './bullmq-cost.ts';
import { activityTiers } from './change-stream.ts';
import type { BenchOptions } from './options.ts';
import type { ModeResult } from './results.ts';
import type { Summary } from './stats.ts';

export interface ReportInput {
  readonly machine: {
    readonly date: string;
    readonly node: string;
    readonly cpus: string;
    readonly loadAverage: readonly string[];
  };
  readonly opts: BenchOptions;
  readonly reschedule: RescheduleCost | null;
  readonly budgetChecks: readonly BudgetCheckCost[];
  readonly modes: readonly ModeResult[];
  /** When the modes came from separate runs (bench/planner-10k-report.ts): how each was run. */
  readonly runs?: readonly string[];
}

const n = (v: number, digits = 0) =>
  Number.isFinite(v)
    ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '–';
const label = (m: ModeResult) => `${m.pool}, ${m.knobs}`;
const dist = (s: Summary, digits = 1) =>
  `${n(s.min, digits)} / ${n(s.median, digits)} / ${n(s.p95, digits)} / ${n(s.max, digits)}`;

/** The report: what ran, what is real and what is modelled, the figures of each pool mode side by side. */
export function reportMarkdown(input: ReportInput): string {
  const { machine, opts, modes } = input;
  const first = modes[0];
  return [
    '# Sync planner at 10,000 sites',
    '',
    `${machine.date}, Node ${machine.node}, ${machine.cpus}, load average ${machine.loadAverage.join(' ')} at the start ` +
      '(Redis and other workers share the machine).',
    '',
    "`defaults` knobs: the relay's defaults (config/schema/). `scale` knobs: SYNC_PROJECTS_CACHE_SECONDS=86400 and",
    'SYNC_RECONCILE_INTERVAL_SECONDS=604800, what docs/scale-10k-sites.md recommends for 10,000 sites.',
    input.runs
      ? `Separate runs, merged by \`node bench/planner-10k-report.ts\`: ${input.runs.join('; ')}. The modes took`
      : `\`node bench/planner-10k.ts --sites ${opts.sites} --hours ${opts.hours} --pool ${opts.pools.length > 1 ? 'both' : opts.pools[0]}` +
        ` --real-sites ${opts.realSites} --issues ${opts.issuesPerSite} --drop-rate ${opts.dropRate} --workers ${opts.workers}` +
        ` --job-ms ${opts.jobMs} --warmup-hours ${opts.warmupHours} --seed ${opts.seed}\`; the modes took`,
    ` ${modes.map((m) => `${n(m.run.wallSeconds)} s (${label(m)})`).join(', ')} of real time.`,
    '',
    realAndModelled(opts),
    '',
    ...(first ? calibrationSection(first) : []),
    '## Results',
    '',
    `Interval, recovery and queueing figures leave out the first ${opts.warmupHours} h (start-up: every site is polled and` +
      ' reconciled at once, the coverage buckets fill). Distributions are min / median / p95 / max over sites (or changes,' +
      ' or rounds); "max - min" is the spread between the most and the least.',
    '',
    `| figure | ${modes.map((m) => `JIRA_RATE_POOL=${m.pool}, ${m.knobs} knobs`).join(' | ')} |`,
    `|---|${modes.map(() => '---').join('|')}|`,
    ...resultRows(modes).map(([label, values]) => `| ${label} | ${values.join(' | ')} |`),
    '',
    ...tierSection(modes),
    ...hourSection(modes),
    ...rescheduleSection(input.reschedule, first),
    ...budgetCheckSection(input.budgetChecks),
  ].join('\n');
}

function realAndModelled(opts: BenchOptions): string {
  return [
    "**Real:** the simulator (test/sim/, 10 issues per small site, 3 projects) and its clock; Redis; the relay's",
    'composition (`createJiraServices`, `createSyncServices`): the `SyncPlanner` and `planPollIntervals`, the',
    '`SyncScheduler`, the connection store, poll cursors, webhook coverage, known issues and the `RedisJiraBudget`',
    '(every call of every site is charged through it, real or modelled). For the first',
    `${opts.realSites} sites, polls, reconciles and the backfill are the real passes (\`pollSite\`, \`reconcileSite\`,`,
    "`backfillSlice`) over HTTP to the simulator, their changes through the pipeline's real after-publish step.",
    '',
    '**Modelled:** BullMQ (a virtual queue on the same clock: the real `every` arithmetic, jobs wait in line for',
    `${opts.workers} worker process(es) x SYNC_WORKER_CONCURRENCY slots, each job holding a slot ${opts.jobMs} ms, the`,
    "latency of a Jira call, not the simulator's); the other sites' polls (the real poll's arithmetic: one point per",
    'request plus one per issue updated since cursor minus overlap, the project list when its cache expired; checked',
    'against the real polls below) and reconciles (charged what the real one cost in the calibration); webhooks (a',
    `delivered change is recorded as the pipeline records it, ${n(opts.dropRate * 100)}% are lost, no Jira retries);`,
    'the change stream (Poisson per site, tiers below). The connectors and Kafka are left out.',
  ].join('\n');
}

function calibrationSection(mode: ModeResult): string[] {
  const c = mode.calibration;
  return [
    `## Calibration: real passes on the simulator (${c.site}, before the day)`,
    '',
    '| pass | points the pass reported | points the budget charged | model: search / charged (= reported) |',
    '|---|---|---|---|',
    ...c.passes.map(
      (p) =>
        `| ${p.what} | ${p.reported ?? '–'} | ${p.charged} | ${p.modelled ?? '–'} / ${p.modelledCharge ?? '–'} |`,
    ),
    '',
    `A project listing (${c.projects} projects) costs ${c.listingPoints} points, and reading an issue's comment list past`,
    'the 20 a search embeds costs one point per page and per comment; a poll reports both in its points, which is',
    `what the planner plans with. A modelled reconcile is charged ${c.reconcilePoints} points.`,
    '',
  ];
}

function resultRows(modes: readonly ModeResult[]): Array<[string, string[]]> {
  const row = (label: string, f: (m: ModeResult) => string): [string, string[]] => [label, modes.map(f)];
  return [
    row('hours in which the budget saturated (refused jobs sent to the next window)', (m) => {
      const hours = m.hours.filter((h) => h.deferred > 0).length;
      return `${hours} of ${m.hours.length}`;
    }),
    row('planned poll interval at the end, min', (m) => dist(m.plannedIntervalMin)),
    row('observed interval between polls (mean per site), min', (m) => dist(m.observedIntervalMin)),
    row('longest gap between two polls of a site, min', (m) => dist(m.longestGapMin)),
    row('wait in line before a poll started, min', (m) => dist(m.pollWaitMin)),
    row('longest line of waiting jobs', (m) => n(m.longestLine)),
    row(
      'changes delivered / lost (webhook dropped)',
      (m) => `${n(m.changes.delivered)} / ${n(m.changes.lost)}`,
    ),
    row('lost change found by a poll, min (median / p95 / worst)', (m) => {
      const r = m.recoveryMin.byPoll;
      return `**${n(r.median, 1)}** / ${n(r.p95, 1)} / **${n(r.max, 1)}** (${n(r.count)})`;
    }),
    row('lost change overtaken by a later delivered webhook, min (median / worst)', (m) => {
      const r = m.recoveryMin.byWebhook;
      return `${n(r.median, 1)} / ${n(r.max, 1)} (${n(r.count)})`;
    }),
    row('per site (sites that lost a change): its median recovery, min', (m) =>
      dist(m.recoveryMin.perSiteMedian),
    ),
    row('per site: its worst recovery, min', (m) => dist(m.recoveryMin.perSiteWorst)),
    row(
      'lost changes still unpublished at the end (oldest, min)',
      (m) => `${m.recoveryMin.pending} (${n(m.recoveryMin.pendingOldestMin, 1)})`,
    ),
    row(
      'points per site per hour',
      (m) => `${dist(m.pointsPerSitePerHour, 2)}; max - min ${n(m.pointsPerSitePerHour.spread, 2)}`,
    ),
    row('points spent by all sites per hour (median hour / busiest hour)', (m) => {
      const totals = m.hours.map((h) => h.total).sort((a, b) => a - b);
      return `${n(totals[Math.floor(totals.length / 2)] ?? Number.NaN)} / ${n(totals.at(-1) ?? Number.NaN)}`;
    }),
    row('pool: points per hour (JIRA_POINTS_PER_HOUR)', (m) =>
      m.pool === 'app'
        ? `${n(Number(m.config.JIRA_POINTS_PER_HOUR))} for the app`
        : `${n(Number(m.config.JIRA_POINTS_PER_HOUR))} per site; busiest site-hour ${n(Math.max(...m.hours.map((h) => h.maxSite)))}`,
    ),
    row(
      'start-up round (reschedules every site): CPU / wall ms, round trips',
      (m) => `${n(m.firstRound.cpuMs)} / ${n(m.firstRound.wallMs)}, ${n(m.firstRound.roundTrips)}`,
    ),
    row('planning rounds in the day', (m) => n(m.planRounds.count)),
    row(
      'planner CPU per round, ms (median / max)',
      (m) => `**${n(m.planRounds.cpuMs.median)}** / ${n(m.planRounds.cpuMs.max)}`,
    ),
    row(
      'planner wall time per round, ms (median / max)',
      (m) => `${n(m.planRounds.wallMs.median)} / ${n(m.planRounds.wallMs.max)}`,
    ),
    row('Redis commands per round (median)', (m) => n(m.planRounds.commands.median)),
    row(
      'Redis round trips per round, sequential (median)',
      (m) => `**${n(m.planRounds.roundTrips.median)}**`,
    ),
    row(
      'planning job waited in line, min (median / max)',
      (m) => `${n(m.planRounds.waitedMin.median, 1)} / ${n(m.planRounds.waitedMin.max, 1)}`,
    ),
    row(
      'sites planned as quiet per round (median / max)',
      (m) => `${n(m.planRounds.quietSites.median)} / ${n(m.planRounds.quietSites.max)}`,
    ),
    row(
      'rounds that rescheduled over a tenth of the sites (hour into the day: sites)',
      (m) => m.wideReschedules.map((r) => `${n(r.hour, 1)}: ${n(r.rescheduled)}`).join('; ') || 'none',
    ),
    row(
      'polls rescheduled per round (median / max)',
      (m) => `${n(m.planRounds.rescheduled.median)} / ${n(m.planRounds.rescheduled.max)}`,
    ),
    row("modelled sites' points by kind, whole run", (m) =>
      Object.entries(m.pointsByKind)
        .map(([k, v]) => `${k} ${n(v)}`)
        .join('; '),
    ),
    row(
      'budget refusals',
      (m) =>
        Object.entries(m.refusals)
          .map(([k, v]) => `${k} ${n(v)}`)
          .join('; ') || 'none',
    ),
    row(
      'jobs failed: the budget check answered an error',
      (m) =>
        Object.entries(m.failures)
          .map(([k, v]) => `${k} ${n(v)}`)
          .join('; ') || 'none',
    ),
    row('jobs run', (m) =>
      Object.entries(m.jobs)
        .map(([k, v]) => `${k} ${n(v)}`)
        .join('; '),
    ),
    row('real polls: model predicted the same points', (m) => {
      const c = m.modelCheck;
      return `${n(c.samePoints)} of ${n(c.polls)} (points ${n(c.predictedPoints)} predicted, ${n(c.realPoints)} real; ${c.failed} failed)`;
    }),
    row('real sites after the warm-up: points the model would charge / the budget charged', (m) => {
      const c = m.modelCheck;
      return `${n(c.predictedCharge)} / ${n(c.realCharge)}`;
    }),
  ];
}

function tierSection(modes: readonly ModeResult[]): string[] {
  return [
    '### By activity tier',
    '',
    '| tier | sites | changes / h | ' +
      modes
        .map((m) => `${label(m)}: points per site (median / max), interval min (median / max)`)
        .join(' | ') +
      ' |',
    `|---|---|---|${modes.map(() => '---').join('|')}|`,
    ...activityTiers.map((tier) => {
      const cells = modes.map((m) => {
        const t = m.tiers[tier.name];
        return t
          ? `${n(t.points.median)} / ${n(t.points.max)}; ${n(t.observedIntervalMin.median, 1)} / ${n(t.observedIntervalMin.max, 1)}`
          : '–';
      });
      const sites = modes[0]?.tiers[tier.name]?.sites ?? 0;
      return `| ${tier.name} | ${n(sites)} | ${tier.changesPerHour} | ${cells.join(' | ')} |`;
    }),
    '',
  ];
}

function hourSection(modes: readonly ModeResult[]): string[] {
  const hours = Math.max(...modes.map((m) => m.hours.length));
  return [
    '### Points charged per hour, all sites',
    '',
    `| hour | ${modes.map((m) => `${label(m)}: total (busiest site); jobs refused (sent to next window); ms per budget check`).join(' | ')} |`,
    `|---|${modes.map(() => '---').join('|')}|`,
    ...Array.from({ length: hours }, (_, i) => {
      const cells = modes.map((m) => {
        const h = m.hours[i];
        return h
          ? `${n(h.total)} (${n(h.maxSite)}); ${n(h.refusals)} (${n(h.deferred)}); ${n(h.budgetCheckMs, 2)}`
          : '–';
      });
      return `| ${i} | ${cells.join(' | ')} |`;
    }),
    '',
  ];
}

function rescheduleSection(cost: RescheduleCost | null, mode: ModeResult | undefined): string[] {
  if (!cost) return [];
  const sites = mode?.run.sites ?? 0;
  return [
    '### What the virtual queue leaves out: BullMQ writes of a reschedule',
    '',
    `Timed on a real BullMQ queue (${n(cost.connections)} connections, one after the other; the planner has 64 in flight):`,
    `${n(cost.createMsPerConnection, 2)} ms per connection to create its poll and reconcile schedulers and record the`,
    `interval, ${n(cost.changeMsPerConnection, 2)} ms to change the interval, ${n(cost.commandsPerConnection, 1)} Redis`,
    `commands each. A round that reschedules all ${n(sites)} sites would add about`,
    `${n((cost.createMsPerConnection * sites) / 1000, 1)} s (first round) or ${n((cost.changeMsPerConnection * sites) / 1000, 1)} s`,
    'to the wall times above.',
    '',
  ];
}

function budgetCheckSection(costs: readonly BudgetCheckCost[]): string[] {
  if (costs.length === 0) return [];
  const ms = (v: number | null | undefined, error: string | null) =>
    v === null || v === undefined ? (error ? `**fails**: \`${error}\`` : '–') : n(v, 2);
  return [
    '### The budget check against the number of active sites (app pool)',
    '',
    'One `beforeRequest` of a site that already spent in the window, one call at a time: far from the cap (every',
    "call fits whatever the others spent: the script's short path), and near it (each site spent 1 to 5 points, about",
    '6.5 a site are left, calls of 3 points): there the script walks the active sites that spent less than the caller,',
    'lowest first, until the water runs out (src/atlassian/budget/budget-scripts.ts).',
    '',
    '| active sites | ms per check, far from the cap | ms per check, near the cap (calls refused) |',
    '|---|---|---|',
    ...costs.map(
      (c) =>
        `| ${n(c.activeSites)} | ${ms(c.msPerCheck, c.error)} | ${ms(c.msPerCheckNearCap, c.error)}${c.refusedNearCap === null || c.refusedNearCap === undefined ? '' : ` (${n(c.refusedNearCap * 100)}%)`} |`,
    ),
    '',
  ];
}

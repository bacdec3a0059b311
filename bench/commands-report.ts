import type { EchoAccount } from './commands-echoes.ts';
import { mixWeights } from './commands-mix.ts';
import type { PointsRow } from './commands-points.ts';
import { echoSection } from './commands-report-echoes.ts';
import type { StepRow } from './commands-step.ts';

export interface BenchRun {
  readonly machine: Readonly<Record<string, string | number>>;
  readonly options: Readonly<Record<string, unknown>> & {
    readonly seconds: number;
    readonly bursts: boolean;
  };
  readonly relayTunables: Readonly<Record<string, string>>;
  readonly issues: number;
  /** Wall time of the whole run, s. */
  readonly seconds: number;
  readonly points: readonly PointsRow[];
  readonly steps: readonly StepRow[];
  readonly echoes: EchoAccount;
  /** Commands the echo accounting covers (every phase). */
  readonly echoCommands: number;
  readonly relayCommands: Readonly<Record<string, number>>;
  readonly sim429s: Readonly<Record<string, number>>;
  /** Relay log lines at warn or above, by message. */
  readonly relayWarnings: Readonly<Record<string, number>>;
}

const ms = (n: number) => (Number.isFinite(n) ? String(Math.round(n)) : '-');
const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);
const counts = (c: Readonly<Record<string, number>>) =>
  Object.entries(c)
    .filter(([, n]) => n !== 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || 'none';

/** The highest non-saturation step that kept up, and the saturation ceiling. */
function headline(steps: readonly StepRow[]) {
  const kept = steps.filter((s) => s.phase !== 'saturation' && s.phase !== 'warm-up' && s.sustained);
  const best = [...kept].sort((a, b) => b.targetRate - a.targetRate)[0];
  const saturation = steps.find((s) => s.phase === 'saturation');
  return { best, saturation };
}

function stepTable(steps: readonly StepRow[]): string[] {
  return [
    '| step | target/s | sent | sent/s | results | results/s | results/s, 2nd half of the send | p50 ms | p90 ms | p99 ms | max ms | drain ms | backlog growth /s | CPU ms / command: relay, simulator | load (1 min) at the end | statuses | keeps up |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...steps.map(
      (s) =>
        `| ${s.phase} | ${s.targetRate} | ${s.sent} | ${f1(s.achievedRate)} | ${s.answered}${s.repeats ? ` (+${s.repeats} repeats)` : ''} | ${f1(s.resultsPerSecond)} | ${f1(s.resultsPerSecondLateSend)} | ${ms(s.latencyMs.p50)} | ${ms(s.latencyMs.p90)} | ${ms(s.latencyMs.p99)} | ${ms(s.latencyMs.max)} | ${ms(s.drainMs)} | ${f1(s.backlogGrowthPerSecond)} | ${f1(s.cpuMsPerCommand.relay ?? Number.NaN)}, ${f1(s.cpuMsPerCommand.simulator ?? Number.NaN)} | ${f2(s.load1)} | ${counts(s.statuses)} | ${s.sustained ? 'yes' : 'no'} |`,
    ),
  ];
}

function typeTable(steps: readonly StepRow[]): string[] {
  const types = Object.keys(mixWeights);
  return [
    `| type | share | ${steps.map((s) => `${s.phase} p50 / p99 ms`).join(' | ')} |`,
    `|---|---|${steps.map(() => '---|').join('')}`,
    ...types.map((t) => {
      const cells = steps.map((s) => {
        const p = s.latencyByType[t];
        return p ? `${ms(p.p50)} / ${ms(p.p99)}` : '-';
      });
      return `| \`${t}\` | ${mixWeights[t as keyof typeof mixWeights]}% | ${cells.join(' | ')} |`;
    }),
  ];
}

function pointsTable(points: readonly PointsRow[]): string[] {
  return [
    '| type | commands | applied | Jira points / command | Jira requests / command | relay budget points / command (polls left out) | points / command by route (simulator) |',
    '|---|---|---|---|---|---|---|',
    ...points.map(
      (p) =>
        `| \`${p.type}\` | ${p.commands} | ${p.applied} | **${f2(p.pointsPerCommand)}** | ${f2(p.requestsPerCommand)} | ${f2(p.relayPointsPerCommand)} | ${Object.entries(
          p.byRoute,
        )
          .map(([route, n]) => `\`${route}\` ${f2(n)}`)
          .join(', ')} |`,
    ),
  ];
}

/** Points and requests per command of the mix, by the weights; NaN when the points were not measured. */
function mixCost(points: readonly PointsRow[]) {
  if (points.length === 0) return { points: Number.NaN, requests: Number.NaN };
  const weigh = (pick: (p: PointsRow) => number) =>
    points.reduce((s, p) => s + (pick(p) * mixWeights[p.type]) / 100, 0);
  return { points: weigh((p) => p.pointsPerCommand), requests: weigh((p) => p.requestsPerCommand) };
}

function pointsSection(run: BenchRun): string[] {
  if (run.points.length === 0) return ['Not measured in this run (`--points-batch=0`).'];
  const mix = mixCost(run.points);
  return [
    `A batch of ${run.points[0]?.commands ?? 0} commands of one type at a time (10/s, after the warm-up), between two quiet`,
    "moments of the simulator; its counters' movement per command: the command's own calls and the webhook work of its",
    "echoes. The relay's own polls (`search/jql`) are left out",
    `(${run.points.reduce((s, p) => s + p.searchPoints, 0)} points in all the windows together).`,
    '',
    ...pointsTable(run.points),
    '',
    `Mix-weighted: **${f2(mix.points)} points** and ${f2(mix.requests)} Jira requests per command.`,
    '',
    'What the defaults allow:',
    '',
    `- Jira's hourly quota (65,000 points per app, all sites together): ${Math.round(65_000 / mix.points)} commands of this`,
    `  mix an hour, ${f1(65_000 / mix.points / 3600)}/s sustained, before webhook and sync work take their share.`,
    `- The relay's request cap (\`JIRA_SITE_MAX_RPS=10\` per site): about ${f1(10 / mix.requests)} commands/s per site`,
    `  (${f1(20 / mix.requests)}/s on these 2 sites). The steps above ran with the cap at ${run.relayTunables.JIRA_SITE_MAX_RPS}.`,
  ];
}

function oddLines(steps: readonly StepRow[]): string[] {
  const odd = steps.flatMap((s) => s.odd.map((o) => ({ ...o, phase: s.phase })));
  const stuck = steps.flatMap((s) => s.unanswered.map((id) => `${s.phase}: ${id}`));
  return [
    odd.length === 0
      ? 'Every result was `applied`.'
      : `Results other than \`applied\` (${odd.length}): ${odd
          .slice(0, 10)
          .map((o) => `${o.phase} \`${o.type}\` ${o.status} after ${o.attempts} attempts: ${o.reason}`)
          .join('; ')}${odd.length > 10 ? '; ...' : ''}.`,
    stuck.length === 0
      ? 'Every command got its result.'
      : `Without a result when the wait ended (${stuck.length}): ${stuck.slice(0, 10).join(', ')}.`,
  ];
}

export function commandsReport(run: BenchRun): string {
  const m = run.machine;
  const { best, saturation } = headline(run.steps);
  const relayCpu = run.steps.find((s) => s.phase !== 'saturation' && s.phase !== 'warm-up')?.cpuMsPerCommand
    .relay;
  const changed = Object.entries(run.relayTunables)
    .map(([k, v]) => `\`${k}=${v}\``)
    .join(', ');
  return [
    '# Two-way sync benchmark: commands from Kafka to Jira, results and echoes back',
    '',
    `${m.date}, Node ${m.node}, ${m.cpus}, ${m.memoryGiB} GiB. Load average (1, 5, 15 min) before ${m.loadBefore},`,
    `after ${m.loadAfter}: the 2 cores are shared with other engineers' tests, so absolute figures need care; CPU ms per`,
    `command and the ratios between the steps of this one run are the firmer results. The run took ${run.seconds} s.`,
    '',
    `Set-up: the Atlassian simulator in a child process (${run.issues} issues on 2 sites, no added latency, burst buckets`,
    `${run.options.bursts ? 'on: 100 GET/POST and 50 PUT/DELETE per s per site and endpoint' : 'off'}; hourly points quota lifted), the relay as one`,
    'process (`node src/main.ts`, ROLE=all) on topics (6 partitions) and a QUEUE_PREFIX of its own, both connectors',
    'unfiltered, the CRM one with a status mapping; Redis, one Kafka broker, the producer and the reader on this machine.',
    `Relay settings other than defaults: ${changed} (defaults 10 and 65000; see "What the defaults allow"). Latency: from`,
    "the command's `ce_time` (the instant it fell due in an even, open-loop pace, so a producer falling behind counts) to",
    'the instant the reader received its `command.result`.',
    '',
    '## Paced load: the mix over existing issues',
    '',
    ...stepTable(run.steps),
    '',
    best
      ? `**Sustained: ${f1(best.achievedRate)} commands/s** (the highest step whose results kept up: results/s at least 95% of sent/s, backlog not growing, every command answered), p50 ${ms(best.latencyMs.p50)} ms, p99 ${ms(best.latencyMs.p99)} ms.`
      : '**Sustained: no step kept up.**',
    saturation
      ? `Saturation (${saturation.targetRate}/s offered, ${f1(saturation.achievedRate)}/s sent): **ceiling ${f1(saturation.resultsPerSecondLateSend)} results/s** over the second half of the send (${f1(saturation.resultsPerSecond)}/s from the first command to the last result).`
      : '',
    relayCpu === undefined
      ? ''
      : `The relay used ${f1(relayCpu)} ms of CPU per command (its write and its echoes' webhook work): one core would carry at most ~${Math.round(1000 / relayCpu)} commands/s.`,
    '',
    `Spread: every command goes to an issue drawn uniformly from all ${run.issues} (message key \`{siteHost}:{issueKey}\`; a create has a key of its own). ` +
      run.steps
        .map((s) => `${s.phase}: ${s.sent} commands over ${s.keys} keys, at most ${s.maxPerKey} on one`)
        .join('; ') +
      '. Mix: ' +
      Object.entries(mixWeights)
        .map(([t, w]) => `\`${t}\` ${w}%`)
        .join(', ') +
      '; Jira-shaped commands name the CRM, the pager or no connector in turn.',
    '',
    ...typeTable(run.steps),
    '',
    ...oddLines(run.steps),
    '',
    '## Jira points per command, by type',
    '',
    ...pointsSection(run),
    '',
    '## Echoes',
    '',
    ...echoSection(run.echoes, run.echoCommands),
    '',
    '## The relay and the simulator',
    '',
    `Relay \`jira_relay_commands_total\` over the run, by status: ${counts(run.relayCommands)}. Simulator 429s: ${counts(run.sim429s)}.`,
    `Relay log lines at warn or above (KafkaJS's partitioner notice left out): ${counts(run.relayWarnings)}.`,
  ].join('\n');
}

export function summaryLine(run: BenchRun): string {
  const { best, saturation } = headline(run.steps);
  const leaked = run.echoes.bySender.crm.leaked + run.echoes.bySender.monitoring.leaked;
  const sideLeaks =
    run.echoes.bySender.crm.leakedSideEffects + run.echoes.bySender.monitoring.leakedSideEffects;
  const expected = run.echoes.bySender.crm.expected + run.echoes.bySender.monitoring.expected;
  const suppressed = run.echoes.bySender.crm.relaySuppressed + run.echoes.bySender.monitoring.relaySuppressed;
  const rates = run.steps
    .filter((s) => s.phase !== 'saturation')
    .map(
      (s) =>
        `${s.phase} p50 ${ms(s.latencyMs.p50)} / p99 ${ms(s.latencyMs.p99)} ms${s.sustained ? '' : ' (behind)'}`,
    )
    .join(', ');
  return (
    `commands: sustained ${best ? `${f1(best.achievedRate)}/s` : 'none'}; ${rates}; ` +
    `ceiling ${saturation ? `${f1(saturation.resultsPerSecondLateSend)} results/s` : 'not measured'}; ` +
    `echoes expected ${expected}, suppressed ${suppressed} (relay, changes), leaked ${leaked} ` +
    `(and ${sideLeaks} comment side effects)`
  );
}

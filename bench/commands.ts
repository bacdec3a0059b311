/**
 * Two-way sync benchmark (issue 18): commands on Kafka applied to the Atlassian simulator by a real
 * relay process (`node src/main.ts`, ROLE=all), results and connector events read back from Kafka.
 *   node bench/commands.ts [--seconds=20] [--rates=50,200] [--saturation=400] [--saturation-seconds=10]
 *                          [--points-batch=20] [--issues-per-site=200] [--seed=18] [--sim-bursts=off]
 *   or the same as env: BENCH_COMMANDS_SECONDS, BENCH_COMMANDS_RATES, BENCH_COMMANDS_SATURATION (0: no
 *   saturation step), BENCH_COMMANDS_SATURATION_SECONDS, BENCH_COMMANDS_POINTS_BATCH (0: no points
 *   phase), BENCH_COMMANDS_ISSUES_PER_SITE, BENCH_COMMANDS_SEED, BENCH_SIM_BURSTS; REDIS_URL, KAFKA_BROKERS.
 *   Relay tunables pass through (COMMAND_CONCURRENCY=16, JIRA_SITE_MAX_RPS=10, ...);
 *   BENCH_COMMANDS_DUMP=<file> writes every command, result and event read, for a closer look.
 * Takes about 3 minutes with the defaults on 2 quiet cores, up to 9 when other work shares them.
 * Phases: a warm-up, Jira points per command by type (a batch of each alone), paced steps of the mix
 * at each rate, a saturation step (and, when no step kept up, a probe at 80% of its ceiling); then
 * the echo accounting over every command of the run. Writes
 * bench/results/commands.{md,json} and prints the report, then a one-line summary.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { accountEchoes } from './commands-echoes.ts';
import { CommandMix, commandTypes, type SentCommand } from './commands-mix.ts';
import { measurePoints } from './commands-points.ts';
import type { ReadResult } from './commands-reader.ts';
import { delta, scrapeRelay, sumBy, warningsOf } from './commands-relay-metrics.ts';
import { type BenchRun, commandsReport, summaryLine } from './commands-report.ts';
import { benchRelayTunables, quiet, startCommandsStack } from './commands-stack.ts';
import { runStep, type StepRow } from './commands-step.ts';

const t0 = Date.now();
const log = (line: string) => console.error(`[${((Date.now() - t0) / 1000).toFixed(1)} s] ${line}`);
function option(name: string, env: string, fallback: string): string {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg?.slice(name.length + 3) ?? process.env[env] ?? fallback;
}

const opts = {
  seconds: Number(option('seconds', 'BENCH_COMMANDS_SECONDS', '20')),
  rates: option('rates', 'BENCH_COMMANDS_RATES', '50,200').split(',').map(Number).filter(Boolean),
  saturation: Number(option('saturation', 'BENCH_COMMANDS_SATURATION', '400')),
  saturationSeconds: Number(option('saturation-seconds', 'BENCH_COMMANDS_SATURATION_SECONDS', '10')),
  pointsBatch: Number(option('points-batch', 'BENCH_COMMANDS_POINTS_BATCH', '20')),
  sites: 2,
  issuesPerSite: Number(option('issues-per-site', 'BENCH_COMMANDS_ISSUES_PER_SITE', '200')),
  seed: Number(option('seed', 'BENCH_COMMANDS_SEED', '18')),
  bursts: option('sim-bursts', 'BENCH_SIM_BURSTS', 'on') !== 'off',
};
const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const machine = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown'}`,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  loadBefore: loadAverage(),
  loadAfter: '',
};
const tunables = benchRelayTunables();
log('starting the simulator, the relay and the consent backfill ...');
const stack = await startCommandsStack(
  { sites: opts.sites, issuesPerSite: opts.issuesPerSite, bursts: opts.bursts },
  tunables,
);
try {
  const eventsFrom = stack.reader.events.length;
  const relayBefore = await scrapeRelay(stack.relay.url);
  const simBefore = await stack.sim.counters();
  const mix = new CommandMix(stack.issues, opts.seed);
  const all: SentCommand[] = [];
  log('warm-up: 20 commands/s for 5 s ...');
  all.push(...(await runStep(stack, mix, { phase: 'warm-up', rate: 20, seconds: 5 })).sent);
  log(`Jira points: ${opts.pointsBatch} commands of each type alone ...`);
  const points =
    opts.pointsBatch > 0
      ? await measurePoints(stack, mix, commandTypes, opts.pointsBatch)
      : { rows: [], sent: [] };
  all.push(...points.sent);
  const steps: StepRow[] = [];
  const stepRates = [
    ...opts.rates.map((rate) => ({ phase: `${rate}/s`, rate })),
    ...(opts.saturation > 0 ? [{ phase: 'saturation', rate: opts.saturation }] : []),
  ];
  for (const { phase, rate } of stepRates) {
    const seconds = phase === 'saturation' ? opts.saturationSeconds : opts.seconds;
    log(`${phase}: ${rate} commands/s for ${seconds} s ...`);
    const { row, sent } = await runStep(stack, mix, { phase, rate, seconds });
    steps.push(row);
    all.push(...sent);
  }
  // No step kept up (a loaded machine): one more at 80% of the ceiling, so the report has a sustained rate.
  const ceiling = steps.find((s) => s.phase === 'saturation')?.resultsPerSecondLateSend ?? 0;
  if (!steps.some((s) => s.sustained) && ceiling >= 10) {
    const rate = Math.max(5, Math.floor((0.8 * ceiling) / 5) * 5);
    log(`no step kept up; probing ${rate} commands/s for ${opts.seconds} s ...`);
    const { row, sent } = await runStep(stack, mix, {
      phase: `probe ${rate}/s`,
      rate,
      seconds: opts.seconds,
    });
    steps.push(row);
    all.push(...sent);
  }
  log('waiting for the last echoes ...');
  await quiet(stack.reader, 3000, 60_000);
  const relayAfter = await scrapeRelay(stack.relay.url);
  const simAfter = await stack.sim.counters();
  const results = new Map<string, ReadResult>();
  for (const r of stack.reader.results) if (!results.has(r.commandId)) results.set(r.commandId, r);
  const echoes = accountEchoes(
    all,
    results,
    stack.reader.events.slice(eventsFrom),
    delta(
      sumBy(relayBefore, 'jira_relay_echoes_suppressed_total', 'connector'),
      sumBy(relayAfter, 'jira_relay_echoes_suppressed_total', 'connector'),
    ),
  );
  machine.loadAfter = loadAverage();
  if (process.env.BENCH_COMMANDS_DUMP) {
    const events = stack.reader.events.slice(eventsFrom);
    writeFileSync(
      process.env.BENCH_COMMANDS_DUMP,
      JSON.stringify({ all, results: stack.reader.results, events }),
    );
  }
  const run: BenchRun = {
    machine,
    options: opts,
    relayTunables: tunables,
    issues: stack.issues.length,
    seconds: Math.round((Date.now() - t0) / 1000),
    points: points.rows,
    steps,
    echoes,
    echoCommands: all.length,
    relayCommands: delta(
      sumBy(relayBefore, 'jira_relay_commands_total', 'status'),
      sumBy(relayAfter, 'jira_relay_commands_total', 'status'),
    ),
    sim429s: delta(simBefore.rateLimited, simAfter.rateLimited),
    relayWarnings: warningsOf(stack.relay.output()),
  };
  const dir = path.join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const markdown = commandsReport(run);
  writeFileSync(path.join(dir, 'commands.md'), `${markdown}\n`);
  writeFileSync(path.join(dir, 'commands.json'), `${JSON.stringify(run, null, 2)}\n`);
  console.log(markdown);
  console.log();
  console.log(summaryLine(run));
} finally {
  await stack.stop();
}

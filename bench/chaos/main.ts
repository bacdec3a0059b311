/**
 * `npm run chaos`: the fault harness. Two simulated Jira sites get about 400 changes in 75 s while
 * webhooks are dropped, duplicated and shuffled, two workers are SIGKILLed, Redis is killed with
 * kill -9 and restarted, and the broker is restarted; then it waits for polling to recover what the
 * webhooks lost and compares what Jira ended with against what Kafka shows. Everything runs on its
 * own Redis and broker ports; every process it starts is stopped at the end, on failure and on
 * Ctrl-C. Figures and knobs: docs/fault-tolerance.md. Exit code 0 when nothing was lost and nothing
 * undroppable was published, 1 otherwise, 2 when the harness itself could not run.
 */

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Cleanups } from '../../scripts/demo/cleanups.ts';
import { isKafkajsNegativeTimeout } from '../../src/process-warnings.ts';
import { CostMeter } from './cost.ts';
import { DeliveryWatch } from './deliveries.ts';
import { type Expectation, expectedFinalStates } from './expected.ts';
import { type FaultTargets, runFaultSchedule, startWebhookFaults, stopWebhookFaults } from './faults.ts';
import { TopicReader } from './kafka-read.ts';
import { Load } from './load.ts';
import { LoadModel } from './load-model.ts';
import { type ChaosOptions, readOptions } from './options.ts';
import { sleep } from './processes.ts';
import { topics } from './relay.ts';
import {
  changeLine,
  lostLines,
  orderViolationLines,
  passed,
  type RunResult,
  summaryLine,
  webhookLine,
} from './report.ts';
import { type Rig, setUp } from './setup.ts';
import { Timeline } from './timeline.ts';
import { computeFigures, type Figures } from './verify.ts';

const cleanups = new Cleanups();
const timeline = new Timeline();
const cost = new CostMeter();

process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (!isKafkajsNegativeTimeout(w)) console.warn(`warning: ${w.name}: ${w.message}`);
});

function meterCosts(rig: Rig): void {
  cost.start(() => [
    ...rig.fleet.procs.map((p) => [p.role === 'api' ? 'api' : 'workers', p.process.child.pid] as const),
    ['redis', rig.redis.pid] as const,
    ['broker', rig.kafka.pid] as const,
  ]);
  cleanups.add(() => cost.stop());
}

/** The load with the fault schedule beside it; returns the final states expected when it stops. */
async function loadWithFaults(rig: Rig, o: ChaosOptions, model: LoadModel) {
  for (const site of rig.sites)
    model.addSeeded(site, await rig.reader.allIssues(site.cloudId, site.projects));
  const targets: FaultTargets = { ...rig, timeline, options: o };
  timeline.startClock();
  const loadStartedAt = Date.now();
  timeline.add(`load starts: about ${o.changes} changes in ${o.loadSeconds} s on ${rig.sites.length} sites`);
  startWebhookFaults(targets);
  const faults = runFaultSchedule(targets, loadStartedAt);
  const load = new Load(rig.sim, model, rig.sites);
  // A fault that cannot be undone (a process that does not come back) ends the run at once.
  await Promise.race([load.run(o.loadSeconds, o.changes), faults.then(() => new Promise(() => {}))]);
  const loadEnd = Date.now();
  timeline.add(`load stopped: ${model.changeCount} changes (${load.failures.length} refused by Jira)`);
  stopWebhookFaults(targets);
  const expectations = await expectedFinalStates(rig.reader, model, rig.sites);
  timeline.add(`final states read back from Jira: ${expectations.length} expected`);
  await faults;
  return { expectations, loadStartedAt, loadEnd };
}

/** Reads Kafka until every expected state is there (then settles) or the wait is over. */
async function awaitRecovery(rig: Rig, o: ChaosOptions, expectations: Expectation[], loadEnd: number) {
  const reader = await TopicReader.start(rig.kafka.brokers, [topics.crm, topics.monitoring, topics.dlq]);
  cleanups.add(() => reader.stop());
  const deadline = loadEnd + o.waitSeconds * 1000;
  let reported = 0;
  for (;;) {
    await sleep(2000);
    if (reader.crashed) throw new Error(`the Kafka reader crashed: ${reader.crashed}`);
    const figures = computeFigures(reader.messages, expectations, topics.dlq);
    if (figures.lost.length === 0) {
      timeline.add(`all ${figures.expected} expected states on Kafka; reading ${o.settleSeconds} s more`);
      await sleep(o.settleSeconds * 1000);
      break;
    }
    if (Date.now() > deadline) {
      timeline.add(
        `wait over (${o.waitSeconds} s after the load): ${figures.lost.length} states still missing`,
      );
      break;
    }
    if (timeline.now() - reported >= 30) {
      reported = timeline.now();
      timeline.add(`waiting: ${figures.found}/${figures.expected} expected states on Kafka`);
    }
  }
  await reader.waitCaughtUp();
  // What the figures were computed from, for a second look at a run.
  writeFileSync(path.join(rig.dir, 'expected.json'), JSON.stringify(expectations));
  writeFileSync(path.join(rig.dir, 'messages.json'), JSON.stringify(reader.messages));
  return computeFigures(reader.messages, expectations, topics.dlq);
}

function recoverySeconds(figures: Figures, loadEnd: number): number | null {
  if (figures.lost.length > 0) return null;
  return Math.max(0, ((figures.lastFoundAt ?? loadEnd) - loadEnd) / 1000);
}

function print(rig: Rig, result: RunResult, watch: DeliveryWatch): void {
  const cloudIdOf = (host: string) => rig.sites.find((s) => s.host === host)?.cloudId ?? '';
  const f = result.figures;
  console.log('\ntimeline (seconds from the start of the load):');
  for (const line of timeline.lines()) console.log(line);
  console.log(`\nchanges: ${changeLine(result.changes)}`);
  console.log(`webhooks: ${webhookLine(result.webhooks)}`);
  console.log(`relay settings: ${relaySettings(rig)}`);
  if (f.lost.length > 0) {
    const ctx = { watch, cloudIdOf, loadStartedAt: result.loadStartedAt, expectations: result.expectations };
    console.log(`\nlost (${f.lost.length}):\n${lostLines(f, ctx).join('\n')}`);
  }
  if (f.orderViolations.length > 0) {
    console.log(`\norder violations (${f.orderViolations.length}):\n${orderViolationLines(f).join('\n')}`);
  }
  console.log('\ncost:');
  for (const line of cost.lines()) console.log(line);
  console.log(`\nread back: ${rig.dir}/messages.json; expected: ${rig.dir}/expected.json`);
  console.log(
    `logs: ${rig.logDir} (relay: api.log, worker-1.log, worker-2.log; redis.log; broker: ${rig.kafka.logDir})`,
  );
  console.log(summaryLine(result));
}

function relaySettings(rig: Rig): string {
  const names = [
    'SYNC_POLL_MIN_INTERVAL_SECONDS',
    'SYNC_PLAN_INTERVAL_SECONDS',
    'SYNC_RECONCILE_INTERVAL_SECONDS',
    'SYNC_POLL_OVERLAP_MS',
  ];
  return names.map((n) => `${n}=${rig.fleet.setting(n)}`).join(' ');
}

async function main(): Promise<number> {
  const o = readOptions();
  const rig = await setUp(o, cleanups, timeline);
  meterCosts(rig);
  const watch = new DeliveryWatch(rig.sim);
  watch.start();
  cleanups.add(() => watch.stop());
  const model = new LoadModel(o.seed);
  const { expectations, loadStartedAt, loadEnd } = await loadWithFaults(rig, o, model);
  const figures = await awaitRecovery(rig, o, expectations, loadEnd);
  watch.stop();
  cost.stop();
  const result: RunResult = {
    changes: model.changes,
    changeCount: model.changeCount,
    figures,
    webhooks: watch.stats(),
    recoverySeconds: recoverySeconds(figures, loadEnd),
    loadStartedAt,
    expectations,
  };
  await stopAll();
  print(rig, result, watch);
  return passed(result) ? 0 : 1;
}

async function stopAll(): Promise<void> {
  for (const err of await cleanups.runAll()) {
    console.error(`chaos: while stopping: ${err instanceof Error ? err.message : String(err)}`);
  }
}

let stopping = false;
async function abort(code: number, why: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.error(`chaos: ${why}; stopping everything it started`);
  await stopAll();
  process.exit(code);
}

process.once('SIGINT', () => void abort(130, 'interrupted'));
process.once('SIGTERM', () => void abort(143, 'terminated'));
main().then(
  (code) => process.exit(code),
  (err: Error) => void abort(2, `failed: ${err.stack ?? err.message}`),
);

/**
 * The sync planner at 10,000 sites (issue 20), not a test: the Atlassian simulator with 10,000 small
 * sites, the relay's own planner, scheduler, budget and sync stores on real Redis, and a simulated
 * day on the simulator's clock (minutes of real time). A sample of sites polls and reconciles with
 * the real code over HTTP; the others are modelled from what the real passes cost (measured first).
 *   node bench/planner-10k.ts [--sites 10000] [--hours 24] [--pool app|site|both] [--real-sites 100]
 *     [--workers 1] [--job-ms 500] [--drop-rate 0.05] ... (bench/planner-10k/options.ts)
 * Knobs reach the relay's configuration as they are: SYNC_PROJECTS_CACHE_SECONDS=86400 node bench/planner-10k.ts
 * Writes bench/results/planner-10k.{md,json} (--out names another); docs/scale-10k-sites.md explains the figures.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measureBudgetCheck } from './planner-10k/budget-cost.ts';
import { measureRescheduleCost } from './planner-10k/bullmq-cost.ts';
import { parseOptions } from './planner-10k/options.ts';
import { reportMarkdown } from './planner-10k/report.ts';
import type { ModeResult } from './planner-10k/results.ts';
import { runMode } from './planner-10k/run-mode.ts';

const opts = parseOptions(process.argv.slice(2));
const machine = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown'}`,
  loadAverage: os.loadavg().map((l) => l.toFixed(2)),
};
console.error(`timing ${opts.bullmqSample} real BullMQ reschedules ...`);
const reschedule =
  opts.bullmqSample > 0 ? await measureRescheduleCost(opts.redisUrl, opts.bullmqSample) : null;
console.error('timing the budget check with 10 to 10,000 active sites ...');
const budgetChecks = await measureBudgetCheck(opts.redisUrl, Math.max(10, opts.sites));
const modes: ModeResult[] = [];
for (const pool of opts.pools) {
  for (const knobs of opts.knobSets) modes.push(await runMode(opts, { pool, knobs }));
}

const markdown = reportMarkdown({ machine, opts, reschedule, budgetChecks, modes });
const dir = path.join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, `${opts.out}.md`), markdown);
writeFileSync(
  path.join(dir, `${opts.out}.json`),
  `${JSON.stringify({ machine, options: { ...opts, redisUrl: undefined }, reschedule, budgetChecks, modes }, null, 2)}\n`,
);
console.log(markdown);

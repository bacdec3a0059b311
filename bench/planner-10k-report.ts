/**
 * Merges reports of separate `node bench/planner-10k.ts` runs (the pool modes can run as two
 * processes at once) into one, the modes side by side, and times the budget check again on this
 * machine as it is now (run it when nothing else runs):
 *   node bench/planner-10k-report.ts [--out planner-10k] bench/results/planner-10k-app.json bench/results/planner-10k-site.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { measureBudgetCheck } from './planner-10k/budget-cost.ts';
import type { BenchOptions } from './planner-10k/options.ts';
import { type ReportInput, reportMarkdown } from './planner-10k/report.ts';

const { values, positionals } = parseArgs({
  options: { out: { type: 'string', default: 'planner-10k' } },
  allowPositionals: true,
});
if (positionals.length === 0 || !/^[\w.-]+$/.test(values.out)) {
  throw new Error('node bench/planner-10k-report.ts [--out NAME] RUN.json [RUN.json ...]');
}
type Run = Omit<ReportInput, 'opts'> & { readonly options: BenchOptions };
const runs = positionals.map((file) => JSON.parse(readFileSync(file, 'utf8')) as Run);
const first = runs[0] as Run;
const opts = { ...first.options, pools: runs.flatMap((r) => r.options.pools) };
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
console.error('timing the budget check with 10 to 10,000 active sites ...');
const budgetChecks = await measureBudgetCheck(redisUrl, Math.max(10, opts.sites));
const input: ReportInput = {
  machine: first.machine,
  opts,
  reschedule: first.reschedule,
  budgetChecks,
  modes: runs.flatMap((r) => r.modes),
  runs: runs.map(
    (r) =>
      `\`--sites ${r.options.sites} --hours ${r.options.hours} --pool ${r.options.pools.join(',')}` +
      ` --knobs ${r.options.knobSets.map((k) => k.name).join(',')} --real-sites ${r.options.realSites}` +
      ` --workers ${r.options.workers} --seed ${r.options.seed}\` (${r.machine.date})`,
  ),
};
const dir = path.join(import.meta.dirname, 'results');
writeFileSync(path.join(dir, `${values.out}.md`), reportMarkdown(input));
writeFileSync(
  path.join(dir, `${values.out}.json`),
  `${JSON.stringify({ ...input, opts: undefined, options: opts }, null, 2)}\n`,
);
console.log(`wrote bench/results/${values.out}.{md,json}`);

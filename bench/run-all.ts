/**
 * `npm run bench`: every benchmark in one go, on this machine, with its results in
 * bench/results/<date>.md and .json and the latency chart in bench/results/<date>-latency.png.
 * Needs Redis and Kafka (REDIS_URL, KAFKA_BROKERS; local defaults). Takes a few minutes. The
 * end-to-end part runs the relay beside the bare pipeline (bench/e2e-latency.ts), then the relay as
 * api and worker processes for memory per role (bench/e2e-memory.ts).
 * BENCH_COMMANDS=1 adds the two-way sync benchmark (bench/commands.ts, 3 minutes or more).
 * BENCH_PLANNER=1 adds the 10,000-site planner simulation (bench/planner-10k.ts, two hours or more).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { answers } from '../scripts/tcp-answers.ts';
import { runLatencyBench } from './e2e-latency.ts';
import { memoryReport, runMemoryBench } from './e2e-memory.ts';
import { latencyReport } from './e2e-report.ts';
import { intakeTable, runIntakeBench } from './intake.ts';
import { latencySvg, writeLatencyPng } from './latency-chart.ts';

const here = import.meta.dirname;
const results = path.join(here, 'results');
mkdirSync(results, { recursive: true });
const date = new Date().toISOString().slice(0, 10);
const machine = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown'}`,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  loadAverage: loadAverage(),
  kernel: `${os.type()} ${os.release()}`,
};

/** The other benchmarks are scripts that print a Markdown report; run each in its own process. */
function runScript(file: string): { markdown: string; ok: boolean } {
  if (!existsSync(path.join(here, file))) return { markdown: `(${file} not present)`, ok: false };
  console.error(`running ${file} ...`);
  const run = spawnSync(process.execPath, [path.join(here, file)], {
    encoding: 'utf8',
    env: process.env,
    timeout: file === 'planner-10k.ts' ? 6 * 3_600_000 : 900_000,
  });
  const markdown = run.stdout.trim().replace(/^# /gm, '#### ');
  return {
    markdown: run.status === 0 ? markdown : `failed (exit ${run.status}):\n\n${run.stderr.slice(-2000)}`,
    ok: run.status === 0,
  };
}

await requireServices();
console.error('running the intake benchmark ...');
const intake = await runIntakeBench({ duration: 10 });
console.error('running the end-to-end latency benchmark (relay and bare pipeline) ...');
const loadBefore = loadAverage();
const latency = await runLatencyBench({ seconds: 10 });
const loadAfterLatency = loadAverage();
console.error('running the memory benchmark (relay as api and worker processes) ...');
const memory = await runMemoryBench({
  seconds: 10,
  rates: [200, 1000, latency.sustained.relay?.targetRate ?? 2000],
});
const png = `${date}-latency.png`;
const chart = await writeLatencyPng(latencySvg(latency.distributions), path.join(results, png));
const scripts = Object.fromEntries(
  [
    'raw-json-cost.ts',
    'intake-batch-cost.ts',
    'job-granularity.ts',
    'backfill.ts',
    'kafka-publisher.ts',
    'token-manager.ts',
    'sim-search.ts',
    // Two-way sync: 3 minutes or more of its own, so only when asked for.
    ...(process.env.BENCH_COMMANDS === '1' ? ['commands.ts'] : []),
    // A simulated day of 10,000 sites in four configurations: hours, so only when asked for.
    ...(process.env.BENCH_PLANNER === '1' ? ['planner-10k.ts'] : []),
  ].map((f) => [f, runScript(f)]),
);

const markdown = `# jira-relay benchmarks, ${date}

Machine: ${machine.cpus}, ${machine.memoryGiB} GiB, ${machine.kernel}, Node ${machine.node}; load average at start
${machine.loadAverage}. Redis, the Kafka broker, the load generator and the relay all run on this machine.

## Webhook intake (autocannon on loopback, one server process each)

${intakeTable(intake)}

## End to end: signed delivery to event readable on Kafka (one relay process, ROLE=all, against the bare pipeline)

Each delivery creates an issue and gives two events, a CRM ticket and a monitoring trigger; its latency runs
from sending it to the later of the two being readable on Kafka (both connector topics are read). The bare
pipeline (\`bench/bare-pipeline/\`: Fastify route with the HMAC check, one BullMQ job per delivery, a worker
producing the two messages with acks=all) runs in the same run through the same generator, reader and steps,
before the relay at each step. Steps of ${latency.seconds} s: 200/s and 1,000/s, then a search upwards in
steps of 500/s, each pipeline stopping at its first step where the generator sends more than 5% below the
target, p99 reaches 1 s, or an event is missing or repeated. Load average (1, 5, 15 min) before these steps
${loadBefore}, after them ${loadAfterLatency}.

${latencyReport(latency)}
${chart ? `\n![latency distribution](${png})\n` : '\n(no chromium: latency chart not drawn)\n'}
## Memory per role (ROLE=api and ROLE=worker processes, same environment, same load)

${memoryReport(memory)}

${Object.entries(scripts)
  .map(([file, r]) => `## ${file}\n\n${r.markdown}\n`)
  .join('\n')}`;

writeFileSync(path.join(results, `${date}.md`), markdown);
writeFileSync(
  path.join(results, `${date}.json`),
  `${JSON.stringify(
    {
      machine,
      intake,
      latency: {
        stepSeconds: latency.seconds,
        loadAverage: { before: loadBefore, after: loadAfterLatency },
        rows: latency.rows,
        sustained: latency.sustained,
        searchStopped: latency.searchStopped,
        relayRssBytes: latency.relayRssBytes,
        memory: latency.memory,
        splits: latency.splits.map(({ rate, relay, bare }) => ({
          rate,
          relay: { ...relay, latencies: undefined },
          bare: { ...bare, latencies: undefined },
        })),
      },
      memoryByRole: memory,
      scripts,
    },
    null,
    2,
  )}\n`,
);
console.log(markdown);
console.error(`wrote bench/results/${date}.md, ${date}.json${chart ? ` and ${png}` : ''}`);

function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

/**
 * Redis and a Kafka broker must answer before anything runs: a missing broker would otherwise
 * surface only after the intake benchmark, as a kafkajs retry error. Says which variable to set.
 */
async function requireServices(): Promise<void> {
  const redis = new URL(process.env.REDIS_URL || 'redis://127.0.0.1:6379');
  const broker = (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',')[0] ?? '';
  const missing = [
    (await answers(`${redis.hostname}:${redis.port || 6379}`, 2000))
      ? undefined
      : `no Redis answers at ${redis.host} (REDIS_URL)`,
    (await answers(broker, 2000))
      ? undefined
      : `no Kafka broker answers at ${broker} (KAFKA_BROKERS; without Docker: bash test/infra/kafka.sh start)`,
  ].filter((line) => line !== undefined);
  if (missing.length === 0) return;
  console.error(`npm run bench needs Redis and Kafka:\n  ${missing.join('\n  ')}`);
  process.exit(1);
}

/**
 * End-to-end latency: signed webhook deliveries into a real relay process (`node src/main.ts`,
 * ROLE=all), events read back from Kafka, from both connector topics. Each delivery creates a new
 * issue in a To Do status with a priority: one CRM event (crm.ticket.upserted) and one monitoring
 * event (monitoring.incident.triggered: first seen, so its lifecycle state changes). Latency = from
 * sending a delivery to the later of its two events being readable on Kafka.
 *
 * The bare pipeline (bench/bare-pipeline/: a Fastify route with the HMAC check, one BullMQ job per
 * delivery, a worker producing the two messages with acks=all) runs beside it, in the same run,
 * through the same generator, reader and steps: at every step the bare pipeline goes first, then the
 * relay. Its figures are the floor of this architecture on this machine, and the relay's are
 * reported as ratios to them (bench/e2e-ratios.ts).
 *
 * Fixed steps first (200/s and 1,000/s, the goals), then a search for the highest sustained
 * rate of each: steps of 500/s up from the last fixed rate, each pipeline stopping at its first
 * failing step (the generator sent more than 5% below the target, p99 >= 1 s, or not every event
 * arrived, exactly once), or when the time budget is spent. Then the split steps (200/s and 1,000/s
 * again, each pipeline, with BullMQ's event streams read and the Redis commands traced) say where
 * a delivery's time goes (bench/e2e-split.ts).
 *   node bench/e2e-latency.ts        (REDIS_URL, KAFKA_BROKERS; local defaults)
 *   BENCH_RATES=200,1000 (fixed steps), BENCH_E2E_SECONDS=10 (seconds per step; 2 for a smoke run),
 *   BENCH_SEARCH_STEP=500 (0: no search), BENCH_E2E_BUDGET_SECONDS=360 (fixed steps and search),
 *   BENCH_SPLIT_RATES=200,1000 ('' for none), BENCH_CPU_PROF=<dir> (CPU profiles of the children),
 *   BENCH_RELAY_NODE_FLAGS='--trace-gc-nvp' (more node flags for the children; their stdout is shown),
 *   BENCH_RELAY_NODE_OPTIONS='--max-semi-space-size=2' (NODE_OPTIONS of the relay alone, to measure a flag)
 */
import { fileURLToPath } from 'node:url';
import { openHarness } from './e2e-harness.ts';
import { type BenchProcess, memoryOf, type ProcessMemory, startBenchProcess } from './e2e-processes.ts';
import type { SustainedRate } from './e2e-ratios.ts';
import { type LatencyResult, latencyReport } from './e2e-report.ts';
import { runSplitStep, type SplitStep } from './e2e-split-step.ts';
import { type LatencyRow, runStep } from './e2e-step.ts';

export interface LatencyBenchOptions {
  /** Seconds per step (fixed, search and split). */
  readonly seconds?: number;
  /** The fixed steps, in deliveries per second. */
  readonly rates?: readonly number[];
  /** Increment of the sustained-rate search above the last fixed rate; 0 skips the search. */
  readonly searchStep?: number;
  /** Seconds the fixed steps and the search may take; the search stops before a step that would not fit. */
  readonly budgetSeconds?: number;
  /** Rates of the split steps; empty for none. */
  readonly splitRates?: readonly number[];
}

/** One pipeline of the run, and how far it got. */
interface Contender {
  readonly kind: 'relay' | 'bare';
  readonly process: BenchProcess;
  best?: LatencyRow;
  stoppedBecause?: string;
  /** A fixed step so far off that the next ones would only queue up behind it. */
  halted?: boolean;
}

export async function runLatencyBench(opts: LatencyBenchOptions = {}): Promise<LatencyResult> {
  const began = performance.now();
  const seconds = opts.seconds ?? 10;
  const searchStep = opts.searchStep ?? 500;
  const budgetMs = (opts.budgetSeconds ?? 360) * 1000;
  const h = await openHarness();
  const started: BenchProcess[] = [];
  const rows: LatencyRow[] = [];
  const distributions: Record<string, number[]> = {};
  const splits: { rate: number; relay: SplitStep; bare: SplitStep }[] = [];
  const memory: Record<string, { idle: ProcessMemory; after?: ProcessMemory }> = {};
  let nextId = 1_000_000;
  try {
    // The bare pipeline first: at every step it runs before the relay.
    const contenders: Contender[] = [];
    for (const [kind, script, env] of [
      ['bare', 'bench/bare-pipeline/main.ts', { BARE_TOPICS: `${h.topics.crm},${h.topics.monitoring}` }],
      ['relay', 'src/main.ts', { ROLE: 'all', NODE_OPTIONS: process.env.BENCH_RELAY_NODE_OPTIONS ?? '' }],
    ] as const) {
      const process = await startBenchProcess(kind, script, { ...h.deployment.env, ...env });
      started.push(process);
      contenders.push({ kind, process });
    }
    await new Promise((r) => setTimeout(r, 3000));
    for (const c of contenders) memory[c.kind] = { idle: await memoryOf(c.process) };
    const target = (c: Contender) => ({
      pipeline: c.kind,
      port: c.process.port,
      secret: h.secret,
      runTag: h.runTag,
    });
    const step = async (c: Contender, phase: LatencyRow['phase'], rate: number) => {
      const drainMs = phase === 'fixed' ? 20_000 : 10_000;
      const result = await runStep(target(c), h.arrivals, { phase, rate, seconds, drainMs }, nextId);
      nextId = result.nextId;
      rows.push(result.row);
      if (phase === 'fixed' || c.kind === 'relay') distributions[`${c.kind} ${rate}/s`] = result.latencies;
      return result.row;
    };
    for (const c of contenders) {
      const warm = { phase: 'fixed', rate: 100, seconds: 2, drainMs: 20_000 } as const;
      nextId = (await runStep(target(c), h.arrivals, warm, nextId)).nextId;
    }
    // The fixed steps first; a pipeline's search continues only when every one of them passed.
    for (const rate of opts.rates ?? [200, 1000]) {
      for (const c of contenders.filter((c) => !c.halted)) {
        const row = await step(c, 'fixed', rate);
        if (row.failures.length > 0) c.stoppedBecause ??= `${rate}/s failed: ${row.failures.join('; ')}`;
        else if (c.stoppedBecause === undefined) c.best = row;
        if (row.p99Ms > 5000 || row.complete < row.sent) c.halted = true;
      }
    }
    const from = Math.max(...contenders.map((c) => c.best?.rate ?? 0));
    for (let rate = from + searchStep; searchStep > 0; rate += searchStep) {
      const going = contenders.filter((c) => c.stoppedBecause === undefined);
      if (going.length === 0) break;
      for (const c of going) {
        // A step is its sending time plus a drain; do not start one the budget cannot hold.
        if (performance.now() - began + (seconds + 12) * 1000 > budgetMs) {
          c.stoppedBecause = `time budget (${budgetMs / 1000} s) spent before ${rate}/s`;
          continue;
        }
        if (c.best && c.best.rate >= rate) continue;
        const row = await step(c, 'search', rate);
        if (row.failures.length > 0) c.stoppedBecause = `${rate}/s failed: ${row.failures.join('; ')}`;
        else c.best = row;
      }
    }
    for (const c of contenders) c.stoppedBecause ??= 'no search (BENCH_SEARCH_STEP=0)';
    const [bare, relay] = contenders as [Contender, Contender];
    for (const rate of opts.splitRates ?? [200, 1000]) {
      const split = async (c: Contender) => {
        const p = { process: c.process, kind: c.kind, prefix: h.deployment.prefix };
        const result = await runSplitStep(p, h, h.arrivals, { rate, seconds }, nextId);
        nextId = result.nextId;
        rows.push(result.row);
        return result;
      };
      splits.push({ rate, bare: await split(bare), relay: await split(relay) });
    }
    await new Promise((r) => setTimeout(r, 2000));
    for (const c of contenders)
      (memory[c.kind] as { after?: ProcessMemory }).after = await memoryOf(c.process);
    const sustainedOf = (c: Contender): SustainedRate | null =>
      c.best
        ? {
            targetRate: c.best.rate,
            achievedRate: c.best.achievedRate,
            p99Ms: c.best.p99Ms,
            stoppedBecause: c.stoppedBecause ?? '',
          }
        : null;
    return {
      rows,
      distributions,
      splits,
      memory,
      relayRssBytes: memory.relay?.after?.rss ?? Number.NaN,
      sustained: { relay: sustainedOf(relay), bare: sustainedOf(bare) },
      searchStopped: { relay: relay.stoppedBecause ?? '', bare: bare.stoppedBecause ?? '' },
      seconds,
    };
  } finally {
    for (const p of started) await p.stop();
    await h.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const env = process.env;
  const result = await runLatencyBench({
    ...(env.BENCH_RATES ? { rates: env.BENCH_RATES.split(',').map(Number) } : {}),
    ...(env.BENCH_E2E_SECONDS ? { seconds: Number(env.BENCH_E2E_SECONDS) } : {}),
    ...(env.BENCH_SEARCH_STEP ? { searchStep: Number(env.BENCH_SEARCH_STEP) } : {}),
    ...(env.BENCH_E2E_BUDGET_SECONDS ? { budgetSeconds: Number(env.BENCH_E2E_BUDGET_SECONDS) } : {}),
    ...(env.BENCH_SPLIT_RATES !== undefined
      ? { splitRates: env.BENCH_SPLIT_RATES.split(',').filter(Boolean).map(Number) }
      : {}),
  });
  console.log(latencyReport(result));
}

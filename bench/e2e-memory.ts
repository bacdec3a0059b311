/**
 * Memory per role: the relay as two processes, ROLE=api and ROLE=worker, with the same environment,
 * under the end-to-end load (signed deliveries to the api, events read back from Kafka). Resident
 * memory of each, idle and after the load (and its peak, Linux's VmHWM), then a heap snapshot of
 * each (written by the probe preloaded into it, bench/e2e-child-probe.ts), summarised by
 * bench/e2e-heap-summary.ts: the classes with the most self size and the objects that retain the most.
 *   node bench/e2e-memory.ts   BENCH_MEMORY_RATES=200,1000,2000 BENCH_E2E_SECONDS=10
 *   BENCH_MEMORY_NODE_FLAGS='--max-semi-space-size=4' (node flags for both roles, to measure one)
 *   BENCH_MEMORY_ENV='MALLOC_ARENA_MAX=2' (more environment for both roles, space-separated)
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openHarness } from './e2e-harness.ts';
import type { HeapSummary } from './e2e-heap-summary.ts';
import {
  type BenchProcess,
  type HeapSpace,
  memoryOf,
  type ProcessMemory,
  startBenchProcess,
} from './e2e-processes.ts';
import { type LatencyRow, runStep } from './e2e-step.ts';

export interface RoleMemory {
  readonly role: string;
  readonly idle: ProcessMemory;
  readonly after: ProcessMemory;
  /** 30 s later, without load: what V8 and malloc gave back by themselves. */
  readonly settled: ProcessMemory;
  /** V8's heap spaces after the load, before the snapshot (which collects garbage first). */
  readonly spaces: readonly HeapSpace[];
  readonly heap: HeapSummary | { readonly error: string };
}

export interface MemoryResult {
  readonly rows: readonly LatencyRow[];
  readonly roles: readonly RoleMemory[];
  readonly nodeFlags: string;
  readonly extraEnv: Readonly<Record<string, string>>;
}

export async function runMemoryBench(
  opts: {
    seconds?: number;
    rates?: readonly number[];
    nodeFlags?: string;
    extraEnv?: Readonly<Record<string, string>>;
  } = {},
): Promise<MemoryResult> {
  const seconds = opts.seconds ?? 10;
  const nodeFlags = opts.nodeFlags ?? '';
  const extraEnv = opts.extraEnv ?? {};
  const h = await openHarness();
  const started: BenchProcess[] = [];
  try {
    // NODE_OPTIONS carries the flags to be measured; the harness's own flags come on the command line.
    const env = { ...h.deployment.env, ...extraEnv, ...(nodeFlags ? { NODE_OPTIONS: nodeFlags } : {}) };
    for (const role of ['api', 'worker'] as const)
      started.push(await startBenchProcess(role, 'src/main.ts', { ...env, ROLE: role }));
    const [api] = started as [BenchProcess, BenchProcess];
    await new Promise((r) => setTimeout(r, 3000));
    const idle = await Promise.all(started.map(memoryOf));
    const rows: LatencyRow[] = [];
    let nextId = 5_000_000;
    const target = { pipeline: 'relay api + worker', port: api.port, secret: h.secret, runTag: h.runTag };
    nextId = (
      await runStep(target, h.arrivals, { phase: 'fixed', rate: 100, seconds: 2, drainMs: 20_000 }, nextId)
    ).nextId;
    for (const rate of opts.rates ?? [200, 1000, 2000]) {
      const result = await runStep(
        target,
        h.arrivals,
        { phase: 'fixed', rate, seconds, drainMs: 20_000 },
        nextId,
      );
      nextId = result.nextId;
      rows.push(result.row);
    }
    await new Promise((r) => setTimeout(r, 2000));
    const after = await Promise.all(started.map(memoryOf));
    await new Promise((r) => setTimeout(r, 30_000));
    const settled = await Promise.all(started.map(memoryOf));
    const roles: RoleMemory[] = [];
    for (const [i, p] of started.entries()) {
      const spaces = await p.heapSpaces();
      const file = await p.heapSnapshot();
      const heap = summariseInChild(file);
      rmSync(file, { force: true });
      roles.push({
        role: p.name,
        idle: idle[i] as ProcessMemory,
        after: after[i] as ProcessMemory,
        settled: settled[i] as ProcessMemory,
        spaces,
        heap,
      });
    }
    return { rows, roles, nodeFlags, extraEnv };
  } finally {
    for (const p of started) await p.stop();
    await h.close();
  }
}

/** In a process of its own: parsing a snapshot takes a few times its size in memory. */
function summariseInChild(file: string): HeapSummary | { error: string } {
  const run = spawnSync(
    process.execPath,
    [
      '--max-old-space-size=8192',
      fileURLToPath(new URL('./e2e-heap-summary.ts', import.meta.url)),
      file,
      '12',
    ],
    { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 },
  );
  if (run.status !== 0) return { error: run.stderr.slice(-500) };
  return JSON.parse(run.stdout) as HeapSummary;
}

const mib = (bytes: number) => (Number.isNaN(bytes) ? '–' : String(Math.round(bytes / 2 ** 20)));

/** Memory per role, then each role's heap: classes by self size, objects by retained size. */
export function memoryReport(result: MemoryResult): string {
  const table = result.roles.flatMap(({ role, idle, after, settled }) =>
    (
      [
        ['idle (3 s after ready)', idle],
        ['after the load (2 s)', after],
        ['30 s later', settled],
      ] as const
    ).map(
      ([when, m]) =>
        `| ${role} | ${when} | ${mib(m.rss)} | ${mib(m.peakRss)} | ${mib(m.rssAnon)} | ${mib(m.heapTotal)} | ${mib(m.heapUsed)} | ${mib(m.external)} |`,
    ),
  );
  const heaps = result.roles.map(({ role, heap, spaces }) => {
    // Measured after the 30 s wait, just before the snapshot.
    const spaceLine = spaces
      .filter((s) => s.size > 0)
      .map((s) => `${s.space} ${mib(s.size)} (${mib(s.used)} used)`)
      .join(', ');
    if ('error' in heap) return `#### ${role}: no heap summary\n\n${heap.error}`;
    const kib = (b: number) => `${Math.round(b / 1024)}`;
    return `#### ${role}: heap snapshot after the load (${mib(heap.totalBytes)} MiB in ${heap.nodes} objects)

V8 heap spaces just before the snapshot, MiB committed: ${spaceLine}.

| class | objects | self KiB |
|---|---|---|
${heap.byClass.map((c) => `| ${c.name} | ${c.count} | ${kib(c.selfBytes)} |`).join('\n')}

| retainer | self KiB | retained KiB | held by (nearest first) |
|---|---|---|---|
${heap.topRetainers.map((r) => `| ${r.name.slice(0, 60)} | ${kib(r.selfBytes)} | ${kib(r.retainedBytes)} | ${r.path.slice(0, 160)} |`).join('\n')}`;
  });
  const extra = Object.entries(result.extraEnv).map(([k, v]) => `${k}=${v}`);
  return `Node flags of both roles: ${result.nodeFlags || '(none)'}; more environment: ${extra.join(' ') || '(none)'}.

${['| step | target/s | sent/s | p50 ms | p99 ms | result |', '|---|---|---|---|---|---|', ...result.rows.map((r) => `| ${r.pipeline} | ${r.rate} | ${r.achievedRate} | ${r.p50Ms} | ${r.p99Ms} | ${r.failures.length === 0 ? 'pass' : r.failures.join('; ')} |`)].join('\n')}

| role | when | RSS MiB | peak RSS MiB | anonymous RSS MiB | V8 heap total MiB | heap used MiB | external MiB |
|---|---|---|---|---|---|---|---|
${table.join('\n')}

${heaps.join('\n\n')}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const env = process.env;
  const result = await runMemoryBench({
    ...(env.BENCH_E2E_SECONDS ? { seconds: Number(env.BENCH_E2E_SECONDS) } : {}),
    ...(env.BENCH_MEMORY_RATES ? { rates: env.BENCH_MEMORY_RATES.split(',').map(Number) } : {}),
    ...(env.BENCH_MEMORY_NODE_FLAGS ? { nodeFlags: env.BENCH_MEMORY_NODE_FLAGS } : {}),
    ...(env.BENCH_MEMORY_ENV
      ? {
          extraEnv: Object.fromEntries(
            env.BENCH_MEMORY_ENV.split(' ').map((kv) => kv.split('=', 2) as [string, string]),
          ),
        }
      : {}),
  });
  console.log(memoryReport(result));
}

import os from 'node:os';
import { cpuMeter } from './commands-cpu.ts';
import { type PacedSend, sendPaced } from './commands-load.ts';
import type { CommandMix, CommandType, SentCommand } from './commands-mix.ts';
import type { ReadResult } from './commands-reader.ts';
import type { CommandsStack } from './commands-stack.ts';

/** A command that did not end `applied`: what it was and what the relay said. */
export interface OddResult {
  readonly id: string;
  readonly type: CommandType;
  readonly status: string;
  readonly reason: string;
  readonly attempts: number;
}

export interface Percentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export interface StepRow {
  readonly phase: string;
  readonly targetRate: number;
  readonly seconds: number;
  readonly sent: number;
  /** Distinct message keys (issues, and one per create) the step's commands went to, and the busiest one's count. */
  readonly keys: number;
  readonly maxPerKey: number;
  readonly achievedRate: number;
  readonly maxProducerLagMs: number;
  /** Commands with a result read (the first one each). */
  readonly answered: number;
  /** Results read beyond one per command. */
  readonly repeats: number;
  readonly statuses: Readonly<Record<string, number>>;
  readonly odd: readonly OddResult[];
  /** Commands still without a result when the wait ended. */
  readonly unanswered: readonly string[];
  /** `ce_time` to the reader's receive time of the result, ms. */
  readonly latencyMs: Percentiles;
  readonly latencyByType: Readonly<Record<string, Percentiles & { readonly n: number }>>;
  /** Results ÷ (last result − first due): the step's throughput as a consumer of results sees it. */
  readonly resultsPerSecond: number;
  /** Results read per second during the second half of the send (the processing rate under load). */
  readonly resultsPerSecondLateSend: number;
  /** Commands sent but not answered, sampled each 500 ms of the send and at its end. */
  readonly backlog: readonly { readonly t: number; readonly n: number }[];
  /** Least-squares slope of the backlog over the second half of the send, commands per second. */
  readonly backlogGrowthPerSecond: number;
  /** From the last command acknowledged to the last result read, ms. */
  readonly drainMs: number;
  /** CPU ms per command (user + system) of the relay, the simulator and this process, send to last result. */
  readonly cpuMsPerCommand: Readonly<Record<string, number>>;
  /** The machine's 1-minute load average when the step ended. */
  readonly load1: number;
  readonly sustained: boolean;
}

function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted.length === 0
      ? Number.NaN
      : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN };
}

function slope(points: readonly { t: number; n: number }[]): number {
  if (points.length < 2) return 0;
  const mt = points.reduce((s, p) => s + p.t, 0) / points.length;
  const mn = points.reduce((s, p) => s + p.n, 0) / points.length;
  const num = points.reduce((s, p) => s + (p.t - mt) * (p.n - mn), 0);
  const den = points.reduce((s, p) => s + (p.t - mt) ** 2, 0);
  return den === 0 ? 0 : (num / den) * 1000;
}

/** The first result of each of these commands, from the reader (results of other steps left out). */
function firstResults(results: readonly ReadResult[], ids: ReadonlySet<string>, from = 0) {
  const first = new Map<string, ReadResult>();
  let repeats = 0;
  for (let i = from; i < results.length; i++) {
    const r = results[i] as ReadResult;
    if (!ids.has(r.commandId)) continue;
    if (first.has(r.commandId)) repeats++;
    else first.set(r.commandId, r);
  }
  return { first, repeats };
}

/**
 * One paced step: sends, samples the backlog while sending, then waits for every result (until no
 * result came for `stallMs`, or for `maxDrainMs` at most). Sustained: the results kept up (results/s at least 95% of the rate
 * sent, the backlog did not grow by more than 2% of the rate per second over the second half of
 * the send) and every command was answered.
 */
export async function runStep(
  stack: CommandsStack,
  mix: CommandMix,
  step: PacedSend,
  stallMs = 20_000,
  maxDrainMs = 600_000,
): Promise<{ row: StepRow; sent: SentCommand[] }> {
  const sent: SentCommand[] = [];
  const ids = new Set<string>();
  const from = stack.reader.results.length;
  const backlog: { t: number; n: number }[] = [];
  let startedAt = Date.now();
  const sample = () => {
    for (const c of sent) ids.add(c.id);
    backlog.push({
      t: Date.now() - startedAt,
      n: ids.size - firstResults(stack.reader.results, ids, from).first.size,
    });
  };
  const sampler = setInterval(sample, 500);
  const cpu = cpuMeter({ relay: stack.relay.child.pid, simulator: stack.sim.pid, bench: process.pid });
  const outcome = await sendPaced(stack.producer, stack.topics.commands, mix, step, sent).finally(() =>
    clearInterval(sampler),
  );
  startedAt = outcome.startedAt;
  sample();
  const giveUpAt = Date.now() + maxDrainMs;
  for (let seen = -1, since = Date.now(); Date.now() - since < stallMs && Date.now() < giveUpAt; ) {
    const answered = firstResults(stack.reader.results, ids, from).first.size;
    if (answered >= ids.size) break;
    if (answered !== seen) [seen, since] = [answered, Date.now()];
    await new Promise((r) => setTimeout(r, 100));
  }
  const cpuMsPerCommand = cpu.per(sent.length);
  const { first, repeats } = firstResults(stack.reader.results, ids, from);
  const byId = new Map(sent.map((c) => [c.id, c]));
  const latencies: number[] = [];
  const perType = new Map<string, number[]>();
  const statuses: Record<string, number> = {};
  const odd: OddResult[] = [];
  for (const [id, r] of first) {
    const c = byId.get(id) as SentCommand;
    latencies.push(r.at - c.dueAt);
    const ofType = perType.get(c.type) ?? [];
    ofType.push(r.at - c.dueAt);
    perType.set(c.type, ofType);
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    if (r.status !== 'applied')
      odd.push({ id, type: c.type, status: r.status, reason: r.reason ?? '', attempts: r.attempts });
  }
  const perKey = new Map<string, number>();
  for (const c of sent) perKey.set(c.key, (perKey.get(c.key) ?? 0) + 1);
  const lastAt = Math.max(outcome.endedAt, ...[...first.values()].map((r) => r.at));
  const half = outcome.startedAt + (outcome.endedAt - outcome.startedAt) / 2;
  const lateSend = [...first.values()].filter((r) => r.at >= half && r.at <= outcome.endedAt).length;
  const resultsPerSecond = first.size / (Math.max(1, lastAt - outcome.startedAt) / 1000);
  const halfMs = (outcome.endedAt - outcome.startedAt) / 2;
  const growth = slope(backlog.filter((p) => p.t >= halfMs));
  const row: StepRow = {
    phase: step.phase,
    targetRate: step.rate,
    seconds: step.seconds,
    sent: sent.length,
    keys: perKey.size,
    maxPerKey: Math.max(0, ...perKey.values()),
    achievedRate: outcome.achievedRate,
    maxProducerLagMs: outcome.maxProducerLagMs,
    answered: first.size,
    repeats,
    statuses,
    odd,
    unanswered: sent.filter((c) => !first.has(c.id)).map((c) => c.id),
    latencyMs: percentiles(latencies),
    latencyByType: Object.fromEntries(
      [...perType].map(([type, values]) => [type, { ...percentiles(values), n: values.length }]),
    ),
    resultsPerSecond,
    resultsPerSecondLateSend: lateSend / (Math.max(1, halfMs) / 1000),
    backlog,
    backlogGrowthPerSecond: growth,
    drainMs: lastAt - outcome.endedAt,
    cpuMsPerCommand,
    load1: os.loadavg()[0] ?? Number.NaN,
    sustained:
      first.size === sent.length &&
      resultsPerSecond >= 0.95 * outcome.achievedRate &&
      growth <= 0.02 * step.rate,
  };
  return { row, sent };
}

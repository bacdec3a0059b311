import type { ProcessMemory } from './e2e-processes.ts';
import { latencyRatios, ratioTable, type SustainedRate } from './e2e-ratios.ts';
import { commandTimesTable } from './e2e-redis-times.ts';
import { splitTable } from './e2e-split.ts';
import type { SplitStep } from './e2e-split-step.ts';
import type { LatencyRow } from './e2e-step.ts';

/** What bench/e2e-latency.ts measured, as the report and the JSON results take it. */
export interface LatencyResult {
  readonly rows: readonly LatencyRow[];
  /** Latencies (ms) per `<pipeline> <rate>/s`, for the chart. */
  readonly distributions: Readonly<Record<string, number[]>>;
  readonly splits: readonly { readonly rate: number; readonly relay: SplitStep; readonly bare: SplitStep }[];
  /** Per pipeline: after start (3 s idle), and after every step. */
  readonly memory: Readonly<Record<string, { readonly idle: ProcessMemory; readonly after?: ProcessMemory }>>;
  readonly relayRssBytes: number;
  readonly sustained: { readonly relay: SustainedRate | null; readonly bare: SustainedRate | null };
  readonly searchStopped: { readonly relay: string; readonly bare: string };
  readonly seconds: number;
}

export function latencyTable(rows: readonly LatencyRow[]): string {
  const lines = rows.map(
    (r) =>
      `| ${r.pipeline} | ${r.phase} | ${r.rate} | ${r.achievedRate} | ${r.sent} | ${r.expected} | ${r.received} | ${r.p50Ms} | ${r.p99Ms} | ${r.maxMs} | ${r.failures.length === 0 ? 'pass' : `fail: ${r.failures.join('; ')}`} |`,
  );
  return [
    '| pipeline | step | target deliveries/s | sent/s | deliveries sent | events expected | events read | p50 ms | p99 ms | max ms | p99 < 1 s, all events, sent within 5% |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...lines,
  ].join('\n');
}

/** The sustained-rate line of one pipeline. */
export function sustainedLine(
  pipeline: string,
  sustained: SustainedRate | null,
  searchStopped: string,
): string {
  if (!sustained) return `**${pipeline}: highest sustained rate (p99 < 1 s): none**; ${searchStopped}.`;
  return (
    `**${pipeline}: highest sustained rate (p99 < 1 s): ${sustained.achievedRate} deliveries/s sent** ` +
    `(target ${sustained.targetRate}/s, p99 ${sustained.p99Ms} ms, ${2 * sustained.achievedRate} events/s); ` +
    `search stopped: ${sustained.stoppedBecause}.`
  );
}

const mib = (bytes: number | undefined) => (bytes === undefined ? '–' : String(Math.round(bytes / 2 ** 20)));

/** Resident memory (now and peak), heap and external memory of each process, idle and after the load. */
export function memoryTable(memory: LatencyResult['memory']): string {
  const line = (name: string, when: string, m: ProcessMemory | undefined) =>
    `| ${name} | ${when} | ${mib(m?.rss)} | ${mib(m?.peakRss)} | ${mib(m?.rssAnon)} | ${mib(m?.heapTotal)} | ${mib(m?.heapUsed)} | ${mib(m?.external)} |`;
  const lines = Object.entries(memory).flatMap(([name, { idle, after }]) => [
    line(name, 'idle (3 s after ready)', idle),
    line(name, 'after every step', after),
  ]);
  return [
    '| process | when | RSS MiB | peak RSS MiB | anonymous RSS MiB | V8 heap total MiB | heap used MiB | external MiB |',
    '|---|---|---|---|---|---|---|---|',
    ...lines,
  ].join('\n');
}

/** The split section: segments, publish-to-ack, Redis commands per delivery, deferred changes. */
export function splitSection(splits: LatencyResult['splits']): string {
  if (splits.length === 0) return '(no split steps)';
  const split = splitTable(
    splits.map(({ rate, relay, bare }) => ({ rate, relay: relay.split, bare: bare.split })),
  );
  const publish = splits
    .map(
      ({ rate, relay, bare }) =>
        `| ${rate}/s | ${relay.publish.perDelivery.toFixed(2)} × ${relay.publish.meanMs.toFixed(1)} ms | ${bare.publish.perDelivery.toFixed(2)} × ${bare.publish.meanMs.toFixed(1)} ms | ${relay.changesJobs.count} |`,
    )
    .join('\n');
  const commands = splits
    .map(
      ({ rate, relay, bare }) =>
        `${rate}/s:\n\n${commandTimesTable([
          { name: 'relay', deliveries: relay.deliveries, times: relay.commands },
          { name: 'bare', deliveries: bare.deliveries, times: bare.commands },
        ])}`,
    )
    .join('\n\n');
  const rows = splits.flatMap(({ relay, bare }) => [bare.row, relay.row]);
  return `${latencyTable(rows)}

${split}

Publish to broker ack, from each process's own \`jira_relay_kafka_publish_seconds{kind="events"}\` (calls per delivery × mean):

| rate | relay | bare | relay changes-queue jobs (deferred changes) |
|---|---|---|---|
${publish}

Redis commands each process sent per delivery and their round trips as it saw them (send to reply, its
own event loop included), from ioredis's \`ioredis:command\` tracing channel; a MULTI's commands are
counted one by one though they go in one write:

${commands}`;
}

/** The whole end-to-end section of the report, from the tables above. */
export function latencyReport(result: LatencyResult): string {
  return `${latencyTable(result.rows.filter((r) => r.phase !== 'split'))}

${sustainedLine('relay', result.sustained.relay, result.searchStopped.relay)}

${sustainedLine('bare', result.sustained.bare, result.searchStopped.bare)}

### Relay against the bare pipeline (same run, same steps)

${ratioTable(latencyRatios(result.rows), result.sustained)}

### Where a delivery's time goes

${splitSection(result.splits)}

### Memory

${memoryTable(result.memory)}`;
}

/**
 * End-to-end latency: signed webhook deliveries into a real relay process (`node src/main.ts`,
 * ROLE=all), events read back from Kafka, from both connector topics. Each delivery creates a new
 * issue in a To Do status with a priority: one CRM event (crm.ticket.upserted) and one monitoring
 * event (monitoring.incident.triggered: first seen, so its lifecycle state changes). Latency = from
 * sending a delivery to the later of its two events being readable on Kafka.
 *
 * Fixed steps first (200/s and 1,000/s, the issue's goals), then a search for the highest sustained
 * rate: steps of 500/s up from the last fixed rate, stopping at the first step that fails (the
 * generator sent more than 5% below the target, p99 >= 1 s, or not every event arrived, exactly
 * once), or when the time budget is spent. The highest passing step is the sustained rate.
 *   node bench/e2e-latency.ts        (REDIS_URL, KAFKA_BROKERS; local defaults)
 *   BENCH_RATES=200,1000 (fixed steps), BENCH_E2E_SECONDS=10 (seconds per step; 2 for a smoke run),
 *   BENCH_SEARCH_STEP=500 (0: no search), BENCH_E2E_BUDGET_SECONDS=170 (whole run, search included)
 *   BENCH_CPU_PROF=<dir> (a CPU profile of the relay), BENCH_RELAY_NODE_FLAGS='--trace-gc-nvp'
 *   (more node flags for the relay; its stdout, where V8's traces go, is then shown)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { signHubSignature } from '../test/helpers/jira-webhook.ts';
import { deleteKeysAt } from '../test/helpers/redis-keys.ts';

export interface LatencyRow {
  /** `fixed`: a step the issue names; `search`: a step of the sustained-rate search. */
  readonly phase: 'fixed' | 'search';
  /** Target deliveries per second. */
  readonly rate: number;
  /** Deliveries per second the generator actually sent (until the last response). */
  readonly achievedRate: number;
  readonly sent: number;
  /** Events the step's deliveries must give: one CRM and one monitoring event each. */
  readonly expected: number;
  /** Events read back for the step's deliveries, both topics (repeats included). */
  readonly received: number;
  /** Deliveries whose two events were both readable. */
  readonly complete: number;
  /** Latency to the later of a delivery's two events, over the complete deliveries. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Why the step does not count as sustained; empty when it does. */
  readonly failures: readonly string[];
}

/** The highest step that passed, with the rate the generator really achieved there. */
export interface SustainedRate {
  readonly targetRate: number;
  readonly achievedRate: number;
  readonly p99Ms: number;
  /** Why the search stopped: the first failing step, or the time budget. */
  readonly stoppedBecause: string;
}

/** What a delivery gave so far: when each event was first readable (epoch ms), and how many came. */
interface Arrival {
  crmAt?: number;
  monitoringAt?: number;
  events: number;
}

/** A step passes when the generator kept up, p99 stays under a second and every event came once. */
const SHORTFALL = 0.05;
const P99_LIMIT_MS = 1000;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',');
const secret = 'bench-admin-webhook-secret';
const site = 'bench-e2e.atlassian.net';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

async function startRelay(topics: { crm: string; monitoring: string }) {
  const port = await freePort();
  const prefix = `bench-${randomBytes(3).toString('hex')}`;
  const connectors = path.join(tmpdir(), `bench-connectors-${randomBytes(4).toString('hex')}.yaml`);
  const dlqTopic = `bench-dlq-${randomBytes(3).toString('hex')}`;
  writeFileSync(
    connectors,
    `connectors:\n  crm: { enabled: true, topic: ${topics.crm} }\n  monitoring: { enabled: true, topic: ${topics.monitoring} }\n`,
  );
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : [];
  const flags = (process.env.BENCH_RELAY_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const child: ChildProcess = spawn(process.execPath, [...profile, ...flags, 'src/main.ts'], {
    cwd: root,
    stdio: ['ignore', flags.length > 0 ? 'inherit' : 'ignore', 'inherit'],
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      REDIS_URL: redisUrl,
      KAFKA_BROKERS: brokers.join(','),
      ATLASSIAN_CLIENT_ID: 'bench',
      ATLASSIAN_CLIENT_SECRET: 'bench-secret',
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ADMIN_TOKEN: 'bench-admin-token-0123456789',
      JIRA_WEBHOOK_SECRET: secret,
      JIRA_WEBHOOK_SECRET_SITES: '*',
      CONNECTORS_CONFIG: connectors,
      QUEUE_PREFIX: prefix,
      KAFKA_DLQ_TOPIC: dlqTopic,
      LOG_LEVEL: 'warn',
    },
  });
  for (let i = 0; i < 300; i++) {
    if (
      (await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.status,
        () => 0,
      )) === 200
    )
      break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return { port, child, prefix, dlqTopic, connectors };
}

function delivery(issueId: number): string {
  const now = new Date().toISOString().replace('Z', '+0000');
  return JSON.stringify({
    timestamp: Date.now(),
    webhookEvent: 'jira:issue_created',
    issue: {
      id: String(issueId),
      key: `OPS-${issueId}`,
      self: `https://${site}/rest/api/2/issue/${issueId}`,
      fields: {
        summary: `Load ${issueId}`,
        description: 'h2. Impact\n* checkout *down*',
        project: { id: '1', key: 'OPS', name: 'Operations' },
        issuetype: { id: '1', name: 'Incident' },
        status: { id: '1', name: 'To Do', statusCategory: { key: 'new' } },
        priority: { id: '2', name: 'High' },
        created: now,
        updated: now,
      },
    },
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function post(port: number, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/webhooks/jira',
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'x-hub-signature': signHubSignature(secret, body),
          'x-atlassian-webhook-identifier': randomBytes(8).toString('hex'),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN);
}

function now(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Sends `rate` deliveries per second for `seconds`, then waits for both events of every delivery
 * (up to `drainMs` after the last response).
 */
async function runStep(
  port: number,
  received: Map<number, Arrival>,
  step: { phase: LatencyRow['phase']; rate: number; seconds: number; drainMs: number },
  firstId: number,
) {
  const { rate, seconds } = step;
  const sent = new Map<number, number>();
  const start = performance.now();
  const total = rate * seconds;
  let id = firstId;
  const inFlight: Promise<number>[] = [];
  while (sent.size < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
    while (sent.size < due) {
      sent.set(id, now());
      inFlight.push(post(port, delivery(id)));
      id++;
    }
    await new Promise((r) => setImmediate(r));
  }
  const statuses = await Promise.all(inFlight);
  const elapsed = (performance.now() - start) / 1000;
  const done = (k: number) => {
    const a = received.get(k);
    return a?.crmAt !== undefined && a.monitoringAt !== undefined;
  };
  const deadline = Date.now() + step.drainMs;
  while ([...sent.keys()].some((k) => !done(k)) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  // Repeats of an event would show up here; give them a moment to arrive before counting.
  await new Promise((r) => setTimeout(r, 200));
  const latencies: number[] = [];
  let events = 0;
  for (const [k, t] of sent) {
    const a = received.get(k);
    events += a?.events ?? 0;
    if (a?.crmAt !== undefined && a.monitoringAt !== undefined)
      latencies.push(Math.max(a.crmAt, a.monitoringAt) - t);
  }
  latencies.sort((a, b) => a - b);
  const achievedRate = Math.round(sent.size / elapsed);
  const p99Ms = Math.round(quantile(latencies, 0.99));
  const failures: string[] = [];
  const rejected = statuses.filter((s) => s < 200 || s >= 300).length;
  if (rejected > 0) failures.push(`${rejected} deliveries not accepted`);
  if (achievedRate < rate * (1 - SHORTFALL))
    failures.push(`sent ${achievedRate}/s, over ${SHORTFALL * 100}% short of the target`);
  if (!(p99Ms < P99_LIMIT_MS)) failures.push(`p99 ${p99Ms} ms >= ${P99_LIMIT_MS} ms`);
  if (latencies.length < sent.size) failures.push(`${sent.size - latencies.length} deliveries incomplete`);
  if (events !== 2 * sent.size) failures.push(`${events} events read, ${2 * sent.size} expected`);
  const row: LatencyRow = {
    phase: step.phase,
    rate,
    achievedRate,
    sent: sent.size,
    expected: 2 * sent.size,
    received: events,
    complete: latencies.length,
    p50Ms: Math.round(quantile(latencies, 0.5)),
    p99Ms,
    maxMs: Math.round(latencies.at(-1) ?? Number.NaN),
    failures,
  };
  return { row, latencies, nextId: id };
}

export interface LatencyBenchOptions {
  /** Seconds per step (fixed and search). */
  readonly seconds?: number;
  /** The fixed steps, in deliveries per second. */
  readonly rates?: readonly number[];
  /** Increment of the sustained-rate search above the last fixed rate; 0 skips the search. */
  readonly searchStep?: number;
  /** Seconds the whole run may take; the search stops before a step that would not fit. */
  readonly budgetSeconds?: number;
}

export async function runLatencyBench(opts: LatencyBenchOptions = {}) {
  const began = performance.now();
  const seconds = opts.seconds ?? 10;
  const searchStep = opts.searchStep ?? 500;
  const budgetMs = (opts.budgetSeconds ?? 170) * 1000;
  const topics = {
    crm: `bench-crm-${randomBytes(3).toString('hex')}`,
    monitoring: `bench-mon-${randomBytes(3).toString('hex')}`,
  };
  const kafka = new Kafka({ clientId: 'bench-reader', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [topics.crm, topics.monitoring].map((topic) => ({ topic, numPartitions: 6 })),
    waitForLeaders: true,
  });
  const { port, child, prefix, dlqTopic, connectors } = await startRelay(topics);
  const received = new Map<number, Arrival>();
  const consumer = kafka.consumer({ groupId: `bench-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 5 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topics.crm, topics.monitoring], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const at = now();
      const issueId = Number(String(message.key).split(':')[1]);
      let arrival = received.get(issueId);
      if (!arrival) {
        arrival = { events: 0 };
        received.set(issueId, arrival);
      }
      arrival.events++;
      if (topic === topics.crm) arrival.crmAt ??= at;
      else arrival.monitoringAt ??= at;
    },
  });
  const rows: LatencyRow[] = [];
  const distributions: Record<string, number[]> = {};
  let sustained: SustainedRate | null = null;
  let searchStopped = '';
  let relayRssBytes = Number.NaN;
  let nextId = 1_000_000;
  const step = async (phase: LatencyRow['phase'], rate: number) => {
    const drainMs = phase === 'fixed' ? 20_000 : 10_000;
    const result = await runStep(port, received, { phase, rate, seconds, drainMs }, nextId);
    nextId = result.nextId;
    rows.push(result.row);
    distributions[`${rate}/s`] = result.latencies;
    return result.row;
  };
  try {
    await runStep(port, received, { phase: 'fixed', rate: 100, seconds: 2, drainMs: 20_000 }, nextId).then(
      (r) => (nextId = r.nextId),
    ); // warm-up
    // The fixed steps first; the search continues only when every one of them passed.
    let best: LatencyRow | undefined;
    let stoppedBecause: string | undefined;
    for (const rate of opts.rates ?? [200, 1000]) {
      const row = await step('fixed', rate);
      if (row.failures.length > 0) stoppedBecause ??= `${rate}/s failed: ${row.failures.join('; ')}`;
      else if (stoppedBecause === undefined) best = row;
      if (row.p99Ms > 5000 || row.complete < row.sent) break;
    }
    const from = best?.rate ?? 0;
    for (let rate = from + searchStep; searchStep > 0 && stoppedBecause === undefined; rate += searchStep) {
      // A step is its sending time plus a drain; do not start one the budget cannot hold.
      if (performance.now() - began + (seconds + 12) * 1000 > budgetMs) {
        stoppedBecause = `time budget (${budgetMs / 1000} s) spent before ${rate}/s`;
        break;
      }
      const row = await step('search', rate);
      if (row.failures.length > 0) stoppedBecause = `${rate}/s failed: ${row.failures.join('; ')}`;
      else best = row;
    }
    stoppedBecause ??= 'no search (BENCH_SEARCH_STEP=0)';
    searchStopped = stoppedBecause;
    if (best) {
      sustained = {
        targetRate: best.rate,
        achievedRate: best.achievedRate,
        p99Ms: best.p99Ms,
        stoppedBecause,
      };
    }
    relayRssBytes = await residentMemory(port);
  } finally {
    await consumer.disconnect();
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    await deleteKeysAt(redisUrl, prefix);
    rmSync(connectors, { force: true });
    // The relay created its dead-letter topic itself; it goes too.
    await admin.deleteTopics({ topics: [topics.crm, topics.monitoring, dlqTopic] }).catch(() => undefined);
    await admin.disconnect();
    agent.destroy();
  }
  return { rows, distributions, relayRssBytes, sustained, searchStopped, seconds };
}

/** The relay process's resident memory, from its own /metrics. */
async function residentMemory(port: number): Promise<number> {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`).then(
    (r) => r.text(),
    () => '',
  );
  return Number(/^process_resident_memory_bytes (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
}

export function latencyTable(rows: readonly LatencyRow[]): string {
  const lines = rows.map(
    (r) =>
      `| ${r.phase} | ${r.rate} | ${r.achievedRate} | ${r.sent} | ${r.expected} | ${r.received} | ${r.p50Ms} | ${r.p99Ms} | ${r.maxMs} | ${r.failures.length === 0 ? 'pass' : `fail: ${r.failures.join('; ')}`} |`,
  );
  return [
    '| step | target deliveries/s | sent/s | deliveries sent | events expected | events read | p50 ms | p99 ms | max ms | p99 < 1 s, all events, sent within 5% |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...lines,
  ].join('\n');
}

/** The sustained-rate line under the table. */
export function sustainedLine(sustained: SustainedRate | null, searchStopped: string): string {
  if (!sustained) return `**Highest sustained rate (p99 < 1 s): none**; ${searchStopped}.`;
  return (
    `**Highest sustained rate (p99 < 1 s): ${sustained.achievedRate} deliveries/s sent** ` +
    `(target ${sustained.targetRate}/s, p99 ${sustained.p99Ms} ms, ${2 * sustained.achievedRate} events/s); ` +
    `search stopped: ${sustained.stoppedBecause}.`
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const env = process.env;
  const { rows, sustained, searchStopped } = await runLatencyBench({
    ...(env.BENCH_RATES ? { rates: env.BENCH_RATES.split(',').map(Number) } : {}),
    ...(env.BENCH_E2E_SECONDS ? { seconds: Number(env.BENCH_E2E_SECONDS) } : {}),
    ...(env.BENCH_SEARCH_STEP ? { searchStep: Number(env.BENCH_SEARCH_STEP) } : {}),
    ...(env.BENCH_E2E_BUDGET_SECONDS ? { budgetSeconds: Number(env.BENCH_E2E_BUDGET_SECONDS) } : {}),
  });
  console.log(latencyTable(rows));
  console.log();
  console.log(sustainedLine(sustained, searchStopped));
}

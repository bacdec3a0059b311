import http from 'node:http';
import { signHubSignature } from '../test/helpers/jira-webhook.ts';
import { type Arrival, now } from './e2e-reader.ts';

export interface LatencyRow {
  /** Which pipeline: `relay` (src/main.ts) or `bare` (bench/bare-pipeline/). */
  readonly pipeline: string;
  /** `fixed`: a step the issue names; `search`: a step of the sustained-rate search; `split`: timed step. */
  readonly phase: 'fixed' | 'search' | 'split';
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

/** One delivery as the generator saw it: epoch ms (this process's clock). */
export interface Sent {
  readonly deliveryId: string;
  readonly sentAt: number;
  respondedAt?: number;
  status?: number;
}

/** A step passes when the generator kept up, p99 stays under a second and every event came once. */
const SHORTFALL = 0.05;
const P99_LIMIT_MS = 1000;

export const site = 'bench-e2e.atlassian.net';

function delivery(issueId: number): string {
  const stamp = new Date().toISOString().replace('Z', '+0000');
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
        created: stamp,
        updated: stamp,
      },
    },
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function post(port: number, body: string, secret: string, deliveryId: string, sent: Sent): Promise<void> {
  return new Promise((resolve) => {
    const done = (status: number) => {
      sent.respondedAt = now();
      sent.status = status;
      resolve();
    };
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
          'x-atlassian-webhook-identifier': deliveryId,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode ?? 0));
      },
    );
    req.on('error', () => done(0));
    req.end(body);
  });
}

/** Drops the keep-alive sockets of the generator (at the end of a run). */
export function closeGenerator(): void {
  agent.destroy();
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN);
}

/**
 * Sends `rate` signed deliveries per second for `seconds` to one pipeline's port, then waits for
 * both events of every delivery (up to `drainMs` after the last response). Issue ids start at
 * `firstId`; a delivery's id is `<runTag>-<issue id>`.
 */
export async function runStep(
  target: {
    readonly pipeline: string;
    readonly port: number;
    readonly secret: string;
    readonly runTag: string;
  },
  arrivals: ReadonlyMap<number, Arrival>,
  step: { phase: LatencyRow['phase']; rate: number; seconds: number; drainMs: number },
  firstId: number,
) {
  const { rate, seconds } = step;
  const sent = new Map<number, Sent>();
  const start = performance.now();
  const total = rate * seconds;
  let id = firstId;
  const inFlight: Promise<void>[] = [];
  while (sent.size < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
    while (sent.size < due) {
      const deliveryId = `${target.runTag}-${id}`;
      const record: Sent = { deliveryId, sentAt: now() };
      sent.set(id, record);
      inFlight.push(post(target.port, delivery(id), target.secret, deliveryId, record));
      id++;
    }
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - start) / 1000;
  const done = (k: number) => {
    const a = arrivals.get(k);
    return a?.crm !== undefined && a.monitoring !== undefined;
  };
  const deadline = Date.now() + step.drainMs;
  while ([...sent.keys()].some((k) => !done(k)) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  // Repeats of an event would show up here; give them a moment to arrive before counting.
  await new Promise((r) => setTimeout(r, 200));
  const latencies: number[] = [];
  let events = 0;
  for (const [k, s] of sent) {
    const a = arrivals.get(k);
    events += a?.events ?? 0;
    if (a?.crm !== undefined && a.monitoring !== undefined)
      latencies.push(Math.max(a.crm.readAt, a.monitoring.readAt) - s.sentAt);
  }
  latencies.sort((a, b) => a - b);
  const achievedRate = Math.round(sent.size / elapsed);
  const p99Ms = Math.round(quantile(latencies, 0.99));
  const failures: string[] = [];
  const rejected = [...sent.values()].filter(
    (s) => !(s.status !== undefined && s.status >= 200 && s.status < 300),
  ).length;
  if (rejected > 0) failures.push(`${rejected} deliveries not accepted`);
  if (achievedRate < rate * (1 - SHORTFALL))
    failures.push(`sent ${achievedRate}/s, over ${SHORTFALL * 100}% short of the target`);
  if (!(p99Ms < P99_LIMIT_MS)) failures.push(`p99 ${p99Ms} ms >= ${P99_LIMIT_MS} ms`);
  if (latencies.length < sent.size) failures.push(`${sent.size - latencies.length} deliveries incomplete`);
  if (events !== 2 * sent.size) failures.push(`${events} events read, ${2 * sent.size} expected`);
  const row: LatencyRow = {
    pipeline: target.pipeline,
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
  return { row, latencies, sent, nextId: id };
}

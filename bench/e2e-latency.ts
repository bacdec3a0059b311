/**
 * End-to-end latency: signed webhook deliveries into a real relay process (`node src/main.ts`,
 * ROLE=all), events read back from Kafka. Latency = from sending a delivery to its CRM event being
 * readable on Kafka. Each delivery gives two events (CRM and monitoring).
 *   node bench/e2e-latency.ts        (REDIS_URL, KAFKA_BROKERS; local defaults)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { signHubSignature } from '../src/atlassian/webhook-auth.ts';
import { deleteKeysAt } from '../test/helpers/redis-keys.ts';

export interface LatencyRow {
  readonly rate: number;
  readonly sent: number;
  readonly received: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly achievedRate: number;
}

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
  writeFileSync(
    connectors,
    `connectors:\n  crm: { enabled: true, topic: ${topics.crm} }\n  monitoring: { enabled: true, topic: ${topics.monitoring} }\n`,
  );
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, 'src/main.ts'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
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
      CONNECTORS_CONFIG: connectors,
      QUEUE_PREFIX: prefix,
      KAFKA_DLQ_TOPIC: `bench-dlq-${randomBytes(3).toString('hex')}`,
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
  return { port, child, prefix };
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

/** Sends `rate` deliveries per second for `seconds`, then waits for the events (up to 20 s). */
async function runStep(
  port: number,
  received: Map<number, number>,
  rate: number,
  seconds: number,
  firstId: number,
) {
  const sent = new Map<number, number>();
  const start = performance.now();
  const total = rate * seconds;
  let id = firstId;
  const inFlight: Promise<number>[] = [];
  while (sent.size < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
    while (sent.size < due) {
      sent.set(id, performance.now() + performance.timeOrigin);
      inFlight.push(post(port, delivery(id)));
      id++;
    }
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - start) / 1000;
  const deadline = Date.now() + 20_000;
  while ([...sent.keys()].some((k) => !received.has(k)) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  const latencies = [...sent]
    .flatMap(([k, t]) => (received.has(k) ? [(received.get(k) ?? 0) - t] : []))
    .sort((a, b) => a - b);
  const row: LatencyRow = {
    rate,
    sent: sent.size,
    received: latencies.length,
    p50Ms: Math.round(quantile(latencies, 0.5)),
    p99Ms: Math.round(quantile(latencies, 0.99)),
    maxMs: Math.round(latencies.at(-1) ?? Number.NaN),
    achievedRate: Math.round(sent.size / elapsed),
  };
  return { row, latencies, nextId: id };
}

export async function runLatencyBench(opts: { seconds?: number; rates?: number[] } = {}) {
  const seconds = opts.seconds ?? 10;
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
  const { port, child, prefix } = await startRelay(topics);
  const received = new Map<number, number>();
  const consumer = kafka.consumer({ groupId: `bench-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 5 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topics.crm], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const issueId = Number(String(message.key).split(':')[1]);
      if (!received.has(issueId)) received.set(issueId, Date.now());
    },
  });
  const rows: LatencyRow[] = [];
  const distributions: Record<string, number[]> = {};
  let relayRssBytes = Number.NaN;
  let nextId = 1_000_000;
  try {
    await runStep(port, received, 100, 2, nextId).then((r) => (nextId = r.nextId)); // warm-up
    for (const rate of opts.rates ?? [200, 1000, 1500, 2000, 2500, 3000]) {
      const result = await runStep(port, received, rate, seconds, nextId);
      nextId = result.nextId;
      rows.push(result.row);
      distributions[`${rate}/s`] = result.latencies;
      if (result.row.p99Ms > 5000 || result.row.received < result.row.sent) break;
    }
    relayRssBytes = await residentMemory(port);
  } finally {
    await consumer.disconnect();
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    await deleteKeysAt(redisUrl, prefix);
    await admin.deleteTopics({ topics: [topics.crm, topics.monitoring] }).catch(() => undefined);
    await admin.disconnect();
    agent.destroy();
  }
  return { rows, distributions, relayRssBytes };
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
      `| ${r.rate} | ${r.achievedRate} | ${r.sent} | ${r.received} | ${r.p50Ms} | ${r.p99Ms} | ${r.maxMs} |`,
  );
  return [
    '| target deliveries/s | sent/s | sent | events read | p50 ms | p99 ms | max ms |',
    '|---|---|---|---|---|---|---|',
    ...lines,
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rates = process.env.BENCH_RATES?.split(',').map(Number);
  const { rows } = await runLatencyBench(rates ? { rates } : {});
  console.log(latencyTable(rows));
}

/**
 * Intake benchmark: the signed-webhook route against a bare Fastify route and a plain per-request
 * BullMQ add, in one run on loopback, so the figures compare within one machine state.
 *   node bench/intake.ts            (REDIS_URL, default redis://127.0.0.1:6379)
 * Each server runs in its own process; autocannon drives it from this one. Full load runs in
 * rounds (each route once per round, in turn), and each round's intake is compared with the bare
 * route of the same round. Then 1,000/s twice: autocannon's rate mode (bursts at the start of each
 * second) and an evenly paced open loop (`paced-load.ts`). Every step also reports the server's GC
 * pauses.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { deleteKeysAt } from '../test/helpers/redis-keys.ts';
import { type LoadResult, pacedLoad, round1 } from './paced-load.ts';
import { cpuMsOf, localRedisPid } from './redis-usage.ts';

export interface IntakeRow {
  readonly route: string;
  readonly load: string;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  /** CPU time per request, in µs: the HTTP server, Redis (when local) and the load generator. */
  readonly cpuUsPerRequest: {
    readonly server: number;
    readonly redis: number | null;
    readonly driver: number;
  };
  /** The server's garbage-collection pauses during the step: the longest and their sum, in ms. */
  readonly serverGc: { readonly maxPauseMs: number; readonly totalPauseMs: number; readonly count: number };
}

const here = path.dirname(fileURLToPath(import.meta.url));
const site = 'bench.atlassian.net';
// A real issue_updated body, sent compact as Jira sends it (the fixture file is pretty-printed).
const body = JSON.stringify(
  JSON.parse(
    readFileSync(
      path.join(
        here,
        '../test/fixtures/webhooks/jira_issue_updated__mattermost-plugin-jira-status-todo-to-inprogress.json',
      ),
      'utf8',
    ).replaceAll('some-instance-test.atlassian.net', site),
  ),
);

async function startServer(mode: string, queueName: string): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, [path.join(here, 'intake-server.ts'), mode, queueName, site], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: process.env,
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      const match = /listening (\d+)/.exec(String(chunk));
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
  return { port, child };
}

async function drive(
  port: number,
  jwt: string,
  opts: { connections: number; duration: number; rate?: number },
) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/webhooks/jira`,
    method: 'POST',
    connections: opts.connections,
    duration: opts.duration,
    ...(opts.rate ? { overallRate: opts.rate } : {}),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt}` },
    body,
    // Every request is a new delivery, as Jira's would be.
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          headers: { ...req.headers, 'x-atlassian-webhook-identifier': randomUUID() },
        }),
      },
    ],
  });
  return result;
}

interface RunningServer {
  readonly mode: string;
  readonly queueName: string;
  readonly port: number;
  readonly child: ChildProcess;
}

/**
 * Full load is measured in rounds, each route once per round in turn, so the machine's drift
 * (it is shared and noisy) reaches every route alike; each round's intake is compared with that
 * round's bare route. BENCH_INTAKE_ROUNDS (default 5) and BENCH_INTAKE_ROUND_SECONDS (default 4).
 */
export async function runIntakeBench(opts: { duration?: number } = {}): Promise<IntakeRow[]> {
  const duration = opts.duration ?? 10;
  const rounds = Number(process.env.BENCH_INTAKE_ROUNDS ?? 5);
  const roundSeconds = Number(process.env.BENCH_INTAKE_ROUND_SECONDS ?? 4);
  const now = Math.floor(Date.now() / 1000);
  const jwt = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode('sim-client-secret'));
  const redisPid = await localRedisPidAt(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  // BENCH_INTAKE_ROUTES=bare,intake leaves the plain add out, for quicker comparisons.
  const modes = (process.env.BENCH_INTAKE_ROUTES ?? 'bare,add,intake').split(',');
  const servers: RunningServer[] = [];
  const rows: IntakeRow[] = [];
  const measure = async (server: RunningServer, load: string, run: (port: number) => Promise<LoadResult>) => {
    const { child } = server;
    await gcSince(server.port); // from here on
    const before = { server: cpuMsOf(child.pid), redis: cpuMsOf(redisPid), driver: process.cpuUsage() };
    const r = await run(server.port);
    const driver = process.cpuUsage(before.driver);
    const gc = await gcSince(server.port);
    const perRequest = (ms: number) => Math.round((ms * 1000) / Math.max(1, r.requests));
    rows.push({
      route: server.mode,
      load,
      requestsPerSecond: r.perSecond,
      p50Ms: r.p50Ms,
      p99Ms: r.p99Ms,
      non2xx: r.non2xx,
      cpuUsPerRequest: {
        server: perRequest(cpuMsOf(child.pid) - before.server),
        redis: redisPid === undefined ? null : perRequest(cpuMsOf(redisPid) - before.redis),
        driver: perRequest((driver.user + driver.system) / 1000),
      },
      serverGc: { maxPauseMs: round1(gc.maxMs), totalPauseMs: round1(gc.totalMs), count: gc.count },
    });
  };
  const autocannonAt = (connections: number, seconds: number, rate?: number) => async (port: number) => {
    const r = await drive(port, jwt, { connections, duration: seconds, ...(rate ? { rate } : {}) });
    return {
      requests: r.requests.total,
      perSecond: Math.round(r.requests.average),
      p50Ms: r.latency.p50,
      p99Ms: r.latency.p99,
      non2xx: r.non2xx,
    };
  };
  const pacedAt = (rate: number) => (port: number) =>
    pacedLoad({
      url: `http://127.0.0.1:${port}/webhooks/jira`,
      body,
      headers: () => ({
        'content-type': 'application/json',
        authorization: `Bearer ${jwt}`,
        'x-atlassian-webhook-identifier': randomUUID(),
      }),
      rate,
      seconds: duration,
    });
  try {
    for (const mode of modes) {
      const queueName = `bench-intake-${mode}-${randomUUID().slice(0, 8)}`;
      servers.push({ mode, queueName, ...(await startServer(mode, queueName)) });
    }
    for (const server of servers) await drive(server.port, jwt, { connections: 20, duration: 2 }); // warm-up
    for (let round = 1; round <= rounds; round++)
      for (const server of servers)
        await measure(server, `${maxLoad}, round ${round}`, autocannonAt(50, roundSeconds));
    for (const server of servers) await measure(server, '1,000/s', autocannonAt(20, duration, 1000));
    for (const server of servers) await measure(server, pacedLoadName, pacedAt(1000));
  } finally {
    await Promise.all(servers.map(stopServer));
  }
  return rows;
}

const maxLoad = 'max (50 connections)';
const pacedLoadName = '1,000/s evenly paced (open loop)';

/** What `GET /bench/gc` of bench/intake-server.ts answers: its GC pauses since the last ask. */
interface GcPauses {
  readonly count: number;
  readonly totalMs: number;
  readonly maxMs: number;
}

async function gcSince(port: number): Promise<GcPauses> {
  const response = await fetch(`http://127.0.0.1:${port}/bench/gc`);
  return (await response.json()) as GcPauses;
}

async function stopServer({ child, queueName }: RunningServer): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const queue = new Queue(queueName, { connection: { url: redisUrl } });
  try {
    await queue.obliterate({ force: true });
  } finally {
    await queue.close();
    await deleteKeysAt(redisUrl, `${queueName}-state`);
  }
}

/** The local Redis server's pid (its CPU is part of what intake costs), on a connection of its own. */
async function localRedisPidAt(url: string): Promise<number | undefined> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    return await localRedisPid(redis);
  } finally {
    redis.disconnect();
  }
}

/** Each round's req/s of a route at full load, in round order. */
function roundsOf(rows: readonly IntakeRow[], route: string): IntakeRow[] {
  return rows.filter((r) => r.route === route && r.load.startsWith(maxLoad));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Per round, a route's req/s over the bare route's in the same round. */
export function ratiosToBare(rows: readonly IntakeRow[], route: string): number[] {
  const bare = roundsOf(rows, 'bare');
  return roundsOf(rows, route).map(
    (r, i) => r.requestsPerSecond / (bare[i]?.requestsPerSecond ?? Number.NaN),
  );
}

export function intakeTable(rows: readonly IntakeRow[]): string {
  const line = (r: IntakeRow) => {
    const ratio = r.load.startsWith(maxLoad)
      ? ratiosToBare(rows, r.route)[Number(r.load.split('round ')[1]) - 1]
      : undefined;
    return `| ${r.route} | ${r.load} | ${r.requestsPerSecond} | ${ratio === undefined ? '' : ratio.toFixed(2)} | ${r.p50Ms} | ${r.p99Ms} | ${r.non2xx} | ${r.cpuUsPerRequest.server} | ${r.cpuUsPerRequest.redis ?? 'n/a'} | ${r.cpuUsPerRequest.driver} | ${r.serverGc.maxPauseMs} / ${r.serverGc.totalPauseMs} (${r.serverGc.count}) |`;
  };
  const routes = [...new Set(rows.map((r) => r.route))].filter((r) => r !== 'bare');
  const medians = routes.map((route) => {
    const ratios = ratiosToBare(rows, route);
    return `- ${route}: median **${median(ratios).toFixed(2)}×** bare (rounds: ${ratios.map((x) => x.toFixed(2)).join(', ')})`;
  });
  return [
    '| route | load | req/s | × bare (same round) | p50 ms | p99 ms | non-2xx | server CPU µs/req | Redis CPU µs/req | load generator CPU µs/req | server GC pauses: longest / total ms (count) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(line),
    '',
    "At 1,000/s autocannon sends each connection's share of a second back to back when the second starts, then waits for the next: that step measures bursts on 20 connections. The evenly paced step sends one delivery every millisecond on keep-alive sockets and times each from the moment it was due (`bench/paced-load.ts`), as deliveries from Jira arrive one by one.",
    '',
    'Full load against the bare route, round by round:',
    '',
    ...medians,
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = await runIntakeBench();
  console.log(intakeTable(rows));
}

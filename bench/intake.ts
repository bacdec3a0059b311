/**
 * Intake benchmark: the signed-webhook route against a bare Fastify route and a plain per-request
 * BullMQ add, in one run on loopback, so the figures compare within one machine state.
 *   node bench/intake.ts            (REDIS_URL, default redis://127.0.0.1:6379)
 * Each server runs in its own process; autocannon drives it from this one.
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

export async function runIntakeBench(opts: { duration?: number } = {}): Promise<IntakeRow[]> {
  const duration = opts.duration ?? 10;
  const now = Math.floor(Date.now() / 1000);
  const jwt = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode('sim-client-secret'));
  const rows: IntakeRow[] = [];
  const redisPid = await localRedisPidAt(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const loads = [
    { load: 'max (50 connections)', connections: 50 },
    { load: '1,000/s', connections: 20, rate: 1000 },
  ];
  // BENCH_INTAKE_ROUTES=intake measures one route alone, for quick comparisons while optimizing.
  const modes = (process.env.BENCH_INTAKE_ROUTES ?? 'bare,add,intake').split(',');
  for (const mode of modes) {
    const queueName = `bench-intake-${mode}-${randomUUID().slice(0, 8)}`;
    const { port, child } = await startServer(mode, queueName);
    try {
      await drive(port, jwt, { connections: 20, duration: 2 }); // warm-up
      for (const { load, connections, rate } of loads) {
        const before = { server: cpuMsOf(child.pid), redis: cpuMsOf(redisPid), driver: process.cpuUsage() };
        const r = await drive(port, jwt, { connections, duration, ...(rate ? { rate } : {}) });
        const driver = process.cpuUsage(before.driver);
        const perRequest = (ms: number) => Math.round((ms * 1000) / Math.max(1, r.requests.total));
        const redisMs = cpuMsOf(redisPid) - before.redis;
        rows.push({
          route: mode,
          load,
          requestsPerSecond: Math.round(r.requests.average),
          p50Ms: r.latency.p50,
          p99Ms: r.latency.p99,
          non2xx: r.non2xx,
          cpuUsPerRequest: {
            server: perRequest(cpuMsOf(child.pid) - before.server),
            redis: redisPid === undefined ? null : perRequest(redisMs),
            driver: perRequest((driver.user + driver.system) / 1000),
          },
        });
      }
    } finally {
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
  }
  return rows;
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

export function intakeTable(rows: readonly IntakeRow[]): string {
  const bare = rows.find((r) => r.route === 'bare' && r.load.startsWith('max'))?.requestsPerSecond ?? 1;
  const lines = rows.map(
    (r) =>
      `| ${r.route} | ${r.load} | ${r.requestsPerSecond} | ${r.load.startsWith('max') ? (r.requestsPerSecond / bare).toFixed(2) : ''} | ${r.p50Ms} | ${r.p99Ms} | ${r.non2xx} | ${r.cpuUsPerRequest.server} | ${r.cpuUsPerRequest.redis ?? 'n/a'} | ${r.cpuUsPerRequest.driver} |`,
  );
  return [
    '| route | load | req/s | × bare | p50 ms | p99 ms | non-2xx | server CPU µs/req | Redis CPU µs/req | autocannon CPU µs/req |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...lines,
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = await runIntakeBench();
  console.log(intakeTable(rows));
}

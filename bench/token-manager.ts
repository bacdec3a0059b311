/**
 * Token manager benchmark (not a test): against the in-process Atlassian simulator and real Redis.
 *   node bench/token-manager.ts          (REDIS_URL, default redis://127.0.0.1:6379)
 * 1. getAccessToken on a warm cache: mean cost per call (goal < 50 µs).
 * 2. Refresh requests per 1,000 Jira calls over a run spanning three access-token lifetimes, with
 *    the lifetime shortened to TTL_SECONDS (goal 3): calls paced evenly by CONCURRENCY workers.
 * Writes bench/results/token-manager.{json,md}.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { loadConfig } from '../config/index.ts';
import { buildApp } from '../src/app.ts';
import { JiraClient } from '../src/atlassian/jira/jira-client.ts';
import { jiraClientOptions } from '../src/composition/jira-services.ts';
import { oauthRouteDeps } from '../src/composition/route-deps.ts';
import { createTokenServices, type TokenServices } from '../src/composition/token-services.ts';
import type { Connection } from '../src/connections/connection.ts';
import { createLogger } from '../src/logger.ts';
import { myself } from '../test/helpers/jira-myself.ts';
import { atlassianEnv } from '../test/helpers/relay-env.ts';
import { type Simulator, startSimulator } from '../test/sim/index.ts';

const WARM_CALLS = 1_000_000;
const TTL_SECONDS = 4;
const MARGIN_SECONDS = 1;
const LIFETIMES = 3;
const CALLS = 1000;
const CONCURRENCY = 10;

const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const log = createLogger({ level: 'silent' });

interface Stack {
  readonly sim: Simulator;
  readonly services: TokenServices;
  readonly connection: Connection;
  readonly jira: JiraClient;
  close(): Promise<void>;
}

/** Simulator, Redis-backed services and one connection made through the real consent routes. */
async function startStack(ttlSeconds: number, marginSeconds: number): Promise<Stack> {
  const sim = await startSimulator({ port: 0, accessTokenTtlSeconds: ttlSeconds, burstGetPostPerSecond: 0 });
  const keyPrefix = `bench-tokens-${randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    PUBLIC_URL: 'http://relay.bench',
    REDIS_URL: redisUrl,
    ...atlassianEnv(sim),
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ADMIN_TOKEN: randomBytes(16).toString('hex'),
    TOKEN_REFRESH_MARGIN_SECONDS: String(marginSeconds),
  });
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const services = createTokenServices(config, { redis, log, keyPrefix });
  const app = await buildApp({
    config,
    log,
    readiness: [],
    oauth: oauthRouteDeps(config, services, async () => {}),
  });
  const { token } = await services.connectLinks.issue({ site: null }, Date.now());
  const start = await app.inject({ method: 'GET', url: `/oauth/start?link=${token}` });
  const cookie = String(start.headers['set-cookie']).split(';')[0] ?? '';
  const authorize = await fetch(String(start.headers.location), { redirect: 'manual' });
  const callback = new URL(authorize.headers.get('location') ?? '');
  await app.inject({ method: 'GET', url: `${callback.pathname}${callback.search}`, headers: { cookie } });
  const [connection] = await services.connections.list();
  if (!connection) throw new Error('the consent created no connection');
  const jira = new JiraClient(connection, jiraClientOptions(config, { tokens: services.tokens, log }));
  return {
    sim,
    services,
    connection,
    jira,
    close: async () => {
      const keys = await redis.keys(`${keyPrefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
      await app.close();
      await sim.close();
    },
  };
}

async function warmCache(): Promise<{ calls: number; meanMicros: number; p99BatchMicros: number }> {
  const stack = await startStack(3600, 60);
  try {
    await stack.services.tokens.getAccessToken(stack.connection);
    const batch = 10_000;
    const perBatch: number[] = [];
    for (let done = 0; done < WARM_CALLS; done += batch) {
      const started = process.hrtime.bigint();
      for (let i = 0; i < batch; i++) await stack.services.tokens.getAccessToken(stack.connection);
      perBatch.push(Number(process.hrtime.bigint() - started) / 1000 / batch);
    }
    const sorted = [...perBatch].sort((a, b) => a - b);
    return {
      calls: WARM_CALLS,
      meanMicros: round(perBatch.reduce((a, b) => a + b, 0) / perBatch.length),
      p99BatchMicros: round(sorted[Math.floor(sorted.length * 0.99)] ?? 0),
    };
  } finally {
    await stack.close();
  }
}

async function lifetimes() {
  const stack = await startStack(TTL_SECONDS, MARGIN_SECONDS);
  try {
    const runMs = LIFETIMES * TTL_SECONDS * 1000;
    const perWorker = CALLS / CONCURRENCY;
    const spacing = runMs / perWorker;
    const started = performance.now();
    let failures = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, w) => {
        await sleep((spacing / CONCURRENCY) * w);
        for (let i = 0; i < perWorker; i++) {
          const due = started + (spacing / CONCURRENCY) * w + spacing * i;
          const wait = due - performance.now();
          if (wait > 0) await sleep(wait);
          await myself(stack.jira).catch(() => failures++);
        }
      }),
    );
    const stats = stack.sim.stats();
    const unauthorized = Object.entries(stats.requests)
      .filter(([key]) => key.endsWith(' 401'))
      .reduce((sum, [, n]) => sum + n, 0);
    return {
      calls: CALLS,
      concurrency: CONCURRENCY,
      tokenLifetimeSeconds: TTL_SECONDS,
      refreshMarginSeconds: MARGIN_SECONDS,
      runSeconds: round((performance.now() - started) / 1000),
      refreshRequests: stats.tokenRequests.refresh_token ?? 0,
      failures,
      jira401s: unauthorized,
    };
  } finally {
    await stack.close();
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

const warm = await warmCache();
const run = await lifetimes();
const report = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown'}`,
  warmCache: { ...warm, goalMicros: 50 },
  lifetimes: { ...run, goalRefreshes: LIFETIMES },
};
const markdown = `# Token manager benchmark

${report.date}, Node ${report.node}, ${report.cpus}. Simulator in this process, real Redis.

| measure | result | goal |
|---|---|---|
| getAccessToken, warm cache (mean over ${warm.calls.toLocaleString('en')} awaited calls) | ${warm.meanMicros} µs (slowest 1% of 10k-call batches: ${warm.p99BatchMicros} µs) | < 50 µs |
| refresh requests per ${run.calls} Jira calls over ${LIFETIMES} lifetimes of ${TTL_SECONDS} s (margin ${MARGIN_SECONDS} s, ${run.concurrency} workers, ${run.runSeconds} s) | ${run.refreshRequests} | ${LIFETIMES} |
| failed calls / 401s seen by the simulator | ${run.failures} / ${run.jira401s} | 0 / 0 |
`;
const dir = path.join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, 'token-manager.json'), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(path.join(dir, 'token-manager.md'), markdown);
console.log(markdown);

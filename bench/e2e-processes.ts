import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandTimes } from './e2e-redis-times.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** One benchmark child (the relay in a role, or the bare pipeline), started and probed alike. */
export interface BenchProcess {
  readonly name: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Its /metrics text ('' when it does not answer). */
  metrics(): Promise<string>;
  /** Starts timing its Redis commands (bench/e2e-child-probe.ts); `stopTrace` answers the times. */
  startTrace(): void;
  stopTrace(): Promise<CommandTimes>;
  /** Writes a heap snapshot to a temporary file and answers its path (the caller removes it). */
  heapSnapshot(): Promise<string>;
  /** V8's heap spaces: committed size and used bytes of each. */
  heapSpaces(): Promise<readonly HeapSpace[]>;
  stop(): Promise<void>;
}

export interface HeapSpace {
  readonly space: string;
  readonly size: number;
  readonly used: number;
}

/** What the relay's processes of one run share: configuration, key prefix, connectors file, DLQ topic. */
export interface Deployment {
  readonly env: Readonly<Record<string, string>>;
  readonly prefix: string;
  readonly dlqTopic: string;
  cleanup(): void;
}

export function relayDeployment(opts: {
  readonly topics: { readonly crm: string; readonly monitoring: string };
  readonly redisUrl: string;
  readonly brokers: readonly string[];
  readonly secret: string;
}): Deployment {
  const prefix = `bench-${randomBytes(3).toString('hex')}`;
  const connectors = path.join(tmpdir(), `bench-connectors-${randomBytes(4).toString('hex')}.yaml`);
  const dlqTopic = `bench-dlq-${randomBytes(3).toString('hex')}`;
  writeFileSync(
    connectors,
    `connectors:\n  crm: { enabled: true, topic: ${opts.topics.crm} }\n  monitoring: { enabled: true, topic: ${opts.topics.monitoring} }\n`,
  );
  const env = {
    PATH: process.env.PATH ?? '',
    HOST: '127.0.0.1',
    REDIS_URL: opts.redisUrl,
    KAFKA_BROKERS: opts.brokers.join(','),
    ATLASSIAN_CLIENT_ID: 'bench',
    ATLASSIAN_CLIENT_SECRET: 'bench-secret',
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ADMIN_TOKEN: 'bench-admin-token-0123456789',
    JIRA_WEBHOOK_SECRET: opts.secret,
    JIRA_WEBHOOK_SECRET_SITES: '*',
    CONNECTORS_CONFIG: connectors,
    QUEUE_PREFIX: prefix,
    KAFKA_DLQ_TOPIC: dlqTopic,
    LOG_LEVEL: 'warn',
  };
  return { env, prefix, dlqTopic, cleanup: () => rmSync(connectors, { force: true }) };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/**
 * Starts `node <script>` from the repository root with `env` and a port of its own, and waits for
 * its /readyz. Every child gets the probe preload (bench/e2e-child-probe.ts: Redis trace, heap
 * snapshot) and an IPC channel for it. BENCH_CPU_PROF=<dir> profiles it;
 * BENCH_RELAY_NODE_FLAGS adds node flags (its stdout, where V8's traces go, is then shown).
 */
export async function startBenchProcess(
  name: string,
  script: string,
  env: Readonly<Record<string, string>>,
): Promise<BenchProcess> {
  const port = await freePort();
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : [];
  const flags = (process.env.BENCH_RELAY_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const child = spawn(
    process.execPath,
    ['--import', './bench/e2e-child-probe.ts', ...profile, ...flags, script],
    {
      cwd: root,
      stdio: ['ignore', flags.length > 0 ? 'inherit' : 'ignore', 'inherit', 'ipc'],
      env: { ...env, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` },
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = (p: string) => `http://127.0.0.1:${port}${p}`;
  const get = (p: string) =>
    fetch(url(p)).then(
      async (r) => ({ status: r.status, text: await r.text() }),
      () => ({ status: 0, text: '' }),
    );
  for (let i = 0; i < 300 && (await get('/readyz')).status !== 200; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}) before it was ready`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const metrics = async () => (await get('/metrics')).text;
  return {
    name,
    port,
    child,
    metrics,
    startTrace: () => child.send({ benchTrace: 'start' }),
    stopTrace: () => ask(child, { benchTrace: 'stop' }, 'benchTraceReport'),
    heapSnapshot: () =>
      ask(
        child,
        {
          benchHeapSnapshot: path.join(
            tmpdir(),
            `bench-${name}-${randomBytes(4).toString('hex')}.heapsnapshot`,
          ),
        },
        'benchHeapSnapshotWritten',
      ),
    heapSpaces: () => ask(child, { benchHeapSpaces: true }, 'benchHeapSpacesAre'),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.kill('SIGTERM');
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** Sends `message` to the child's probe and resolves with the answer's `key`. */
function ask<T>(child: ChildProcess, message: object, key: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (answer: Record<string, unknown>) => {
      if (!(key in answer)) return;
      child.off('message', onMessage);
      resolve(answer[key] as T);
    };
    child.on('message', onMessage);
    child.send(message);
  });
}

/** A sample's value from Prometheus text ('NaN' when absent); labels, when given, as they are written. */
export function metricValue(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return Number(line?.split(' ')[1] ?? Number.NaN);
}

/** A process's memory in bytes: resident now and at its peak (Linux's VmRSS, VmHWM), V8's heap, external. */
export interface ProcessMemory {
  readonly rss: number;
  readonly peakRss: number;
  /** The anonymous part of `rss` (V8's heap, malloc's arenas); the rest is mapped files (code). */
  readonly rssAnon: number;
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly external: number;
}

/** Resident sizes from /proc (free for the process), the heap from its own /metrics (prom-client's defaults). */
export async function memoryOf(p: BenchProcess): Promise<ProcessMemory> {
  const text = await p.metrics();
  const status = (() => {
    try {
      return readFileSync(`/proc/${p.child.pid}/status`, 'utf8');
    } catch {
      return '';
    }
  })();
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
  return {
    rss: kib('VmRSS'),
    peakRss: kib('VmHWM'),
    rssAnon: kib('RssAnon'),
    heapTotal: metricValue(text, 'nodejs_heap_size_total_bytes'),
    heapUsed: metricValue(text, 'nodejs_heap_size_used_bytes'),
    external: metricValue(text, 'nodejs_external_memory_bytes'),
  };
}

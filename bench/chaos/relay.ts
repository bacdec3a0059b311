import { randomBytes } from 'node:crypto';
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../../test/helpers/relay-process.ts';
import { isRunning, killHard, type Started, spawnLogged, stopGracefully, waitUntil } from './processes.ts';

const root = path.resolve(import.meta.dirname, '../..');

export const topics = {
  crm: 'jira.crm.events',
  monitoring: 'jira.monitoring.events',
  dlq: 'jira.relay.dlq',
} as const;

/**
 * Durations shortened so polling and the deletion reconcile recover within the wait; any of them
 * set in the environment wins. The overlap is short because the simulator's search has no lag, and
 * a 2-minute overlap would make every poll re-read (and pay for) 2 minutes of changes.
 */
const tunables: Readonly<Record<string, string>> = {
  SYNC_POLL_MIN_INTERVAL_SECONDS: '5',
  SYNC_PLAN_INTERVAL_SECONDS: '10',
  SYNC_RECONCILE_INTERVAL_SECONDS: '20',
  SYNC_POLL_OVERLAP_MS: '10000',
  SHUTDOWN_TIMEOUT_MS: '5000',
};

export interface RelayTargets {
  readonly redisUrl: string;
  readonly brokers: string;
  readonly sim: { readonly url: string; readonly clientId: string; readonly clientSecret: string };
  readonly logDir: string;
  readonly logLevel: string;
  /** The checkout whose src/main.ts runs (default: this one). */
  readonly relayDir: string | undefined;
}

/** One relay process: `node src/main.ts` with its ROLE and PORT, as `npm start` runs it. */
export interface RelayProc {
  readonly name: string;
  readonly role: 'api' | 'worker';
  readonly port: number;
  process: Started;
}

/** The relay as operators run it: one api process and two worker processes on one Redis and broker. */
export class RelayFleet {
  readonly #env: NodeJS.ProcessEnv;
  readonly #logDir: string;
  readonly #cwd: string;
  readonly procs: RelayProc[] = [];
  apiUrl = '';

  private constructor(env: NodeJS.ProcessEnv, logDir: string, cwd: string) {
    this.#env = env;
    this.#logDir = logDir;
    this.#cwd = cwd;
  }

  static async create(t: RelayTargets): Promise<RelayFleet> {
    const apiPort = await freePort();
    const connectors = path.join(t.logDir, 'connectors.yaml');
    writeFileSync(
      connectors,
      `connectors:\n  crm:\n    enabled: true\n    topic: ${topics.crm}\n` +
        `  monitoring:\n    enabled: true\n    topic: ${topics.monitoring}\n`,
    );
    const env: NodeJS.ProcessEnv = {
      ...tunables,
      ...process.env,
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${apiPort}`,
      REDIS_URL: t.redisUrl,
      KAFKA_BROKERS: t.brokers,
      KAFKA_DLQ_TOPIC: topics.dlq,
      ATLASSIAN_AUTH_URL: t.sim.url,
      ATLASSIAN_API_URL: t.sim.url,
      ATLASSIAN_CLIENT_ID: t.sim.clientId,
      ATLASSIAN_CLIENT_SECRET: t.sim.clientSecret,
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ADMIN_TOKEN: `chaos-${randomBytes(12).toString('hex')}`,
      CONNECTORS_CONFIG: connectors,
      QUEUE_PREFIX: 'chaos',
      LOG_LEVEL: t.logLevel,
    };
    const fleet = new RelayFleet(env, t.logDir, t.relayDir ?? root);
    fleet.apiUrl = `http://127.0.0.1:${apiPort}`;
    const ports = [apiPort, await freePort(), await freePort()];
    ['api', 'worker-1', 'worker-2'].forEach((name, i) => {
      const role = i === 0 ? 'api' : 'worker';
      fleet.procs.push({ name, role, port: ports[i] ?? 0, process: fleet.#spawn(name, role, ports[i] ?? 0) });
    });
    return fleet;
  }

  /** Where `src/main.ts` runs from. */
  get relayDir(): string {
    return this.#cwd;
  }

  /** The relay settings every process got (durations included), for the report. */
  setting(name: string): string | undefined {
    return this.#env[name];
  }

  proc(name: string): RelayProc {
    const found = this.procs.find((p) => p.name === name);
    if (!found) throw new Error(`no relay process ${name}`);
    return found;
  }

  async waitAllReady(timeoutMs = 120_000): Promise<void> {
    await Promise.all(this.procs.map((p) => this.waitReady(p, timeoutMs)));
  }

  async waitReady(p: RelayProc, timeoutMs = 120_000): Promise<void> {
    const url = `http://127.0.0.1:${p.port}/readyz`;
    const started = p.process;
    await waitUntil(
      `${p.name} ready`,
      () =>
        fetch(url, { signal: AbortSignal.timeout(2000) }).then(
          (r) => r.status === 200,
          () => false,
        ),
      {
        timeoutMs,
        abort: () => (isRunning(started) ? undefined : `exited; log: ${this.logFile(p.name)}`),
      },
    );
  }

  /** SIGKILL: no shutdown hook runs, jobs in flight stay locked until their locks lapse. */
  async kill(name: string): Promise<number | undefined> {
    const p = this.proc(name);
    const pid = p.process.child.pid;
    await killHard(p.process);
    return pid;
  }

  /** Starts the process again on its port; resolves once it is ready. */
  async restart(name: string): Promise<number | undefined> {
    const p = this.proc(name);
    p.process = this.#spawn(p.name, p.role, p.port);
    await this.waitReady(p);
    return p.process.child.pid;
  }

  /**
   * The operator's and the browser's part of the OAuth consent: a connect link from the admin API
   * (straight to /oauth/start where the relay has none), the simulator's auto-consent, the callback.
   */
  async connect(): Promise<void> {
    const link = await fetch(`${this.apiUrl}/admin/api/connect-links`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.#env.ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ site: null }),
    });
    const startUrl =
      link.status === 201 ? ((await link.json()) as { url: string }).url : `${this.apiUrl}/oauth/start`;
    const start = await fetch(startUrl, { redirect: 'manual' });
    const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const authorize = await fetch(start.headers.get('location') ?? '', { redirect: 'manual' });
    const callback = await fetch(authorize.headers.get('location') ?? '', {
      headers: { cookie },
      redirect: 'manual',
    });
    if (callback.status !== 200) {
      throw new Error(`OAuth consent answered ${callback.status}: ${(await callback.text()).slice(0, 300)}`);
    }
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.procs.map((p) => stopGracefully(p.process, 10_000)));
  }

  logFile(name: string): string {
    return path.join(this.#logDir, `${name}.log`);
  }

  #spawn(name: string, role: 'api' | 'worker', port: number): Started {
    const logFile = this.logFile(name);
    appendFileSync(logFile, `--- chaos: starting ${name} (ROLE=${role}) at ${new Date().toISOString()}\n`);
    return spawnLogged(name, process.execPath, ['src/main.ts'], {
      cwd: this.#cwd,
      env: { ...this.#env, ROLE: role, PORT: String(port) },
      logFile,
    });
  }
}

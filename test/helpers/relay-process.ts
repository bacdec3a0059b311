import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

/** ADMIN_TOKEN of the relays this helper starts, unless `env` sets its own. */
export const relayAdminToken = 'test-admin-token-0123456789';

export interface RelayProcess {
  readonly url: string;
  readonly port: number;
  readonly env: Readonly<Record<string, string>>;
  readonly child: ChildProcess;
  /** Everything the process wrote, for assertions and failure messages. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A connectors file with the given topics, written to a temp file; returns its path. */
export function writeConnectorsFile(topics: { crm: string; monitoring: string }, extra = ''): string {
  const file = path.join(tmpdir(), `connectors-${randomBytes(6).toString('hex')}.yaml`);
  writeFileSync(
    file,
    `connectors:\n  crm:\n    enabled: true\n    topic: ${topics.crm}\n  monitoring:\n    enabled: true\n    topic: ${topics.monitoring}\n${extra}`,
  );
  return file;
}

/**
 * Starts `node src/main.ts` as a user would (npm start), on a free port, and waits until /readyz
 * answers 200. `env` adds to and overrides the defaults (REDIS_URL, KAFKA_BROKERS, secrets).
 */
export async function startRelay(
  env: Record<string, string>,
  opts: { port?: number } = {},
): Promise<RelayProcess> {
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const fullEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: url,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ADMIN_TOKEN: relayAdminToken,
    LOG_LEVEL: 'warn',
    ...env,
  };
  const child = spawn(process.execPath, ['src/main.ts'], {
    cwd: root,
    env: fullEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c));
  child.stderr?.on('data', (c: Buffer) => (output += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`relay exited with ${child.exitCode}:\n${output}`);
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`relay not ready after 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    port,
    env: fullEnv,
    child,
    output: () => output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

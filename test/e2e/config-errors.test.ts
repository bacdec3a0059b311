import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { kafkaBrokers, redisUrl, uniqueName } from '../helpers/services.ts';
import { validEnv } from '../helpers/valid-env.ts';

const root = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

async function start(env: Record<string, string | undefined>) {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
  try {
    const { stdout, stderr } = await run(process.execPath, ['src/main.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...clean },
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A connectors file with `yaml` in a temp dir of its own, removed when the test ends. */
function connectorsFile(yaml: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'jr-connectors-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'connectors.yaml');
  writeFileSync(file, yaml);
  return file;
}

/** Valid env vars (Redis and Kafka of this run reachable), with CONNECTORS_CONFIG set to `file`. */
function withConnectorsFile(file: string) {
  return validEnv({
    REDIS_URL: redisUrl(),
    KAFKA_BROKERS: kafkaBrokers().join(','),
    QUEUE_PREFIX: uniqueName('jr-config-errors'),
    CONNECTORS_CONFIG: file,
  });
}

describe('npm start with a bad configuration', () => {
  it('a bad KAFKA_BROKERS stops the process with exit code 1 and one line naming it', async () => {
    const result = await start(validEnv({ KAFKA_BROKERS: 'no-port-here' }));
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^config error: KAFKA_BROKERS: each broker must be host:port/);
  });

  it('a missing TOKEN_ENCRYPTION_KEY stops the process with exit code 1 and one line naming it', async () => {
    const result = await start(validEnv({ TOKEN_ENCRYPTION_KEY: undefined }));
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^config error: TOKEN_ENCRYPTION_KEY: is required/),
    ]);
  });

  it('never prints the value of a bad secret', async () => {
    const secret = 'dGhpcy1pcy1hLXNlY3JldC1rZXk=';
    const result = await start(validEnv({ TOKEN_ENCRYPTION_KEY: secret }));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('TOKEN_ENCRYPTION_KEY');
    expect(result.stderr + result.stdout).not.toContain(secret);
  });

  it('a bad connectors file stops the process with exit code 1, naming the file and each path inside it', async () => {
    const file = connectorsFile(
      'connectors:\n  crm:\n    filter:\n      projects: [OPS, 42]\n    defaultSeverity: high\n  salesforce: {}\n',
    );
    const result = await start(withConnectorsFile(file));
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n').sort()).toEqual(
      [
        `config error: ${file}: connectors.crm.filter.projects[1]: expected string`,
        `config error: ${file}: connectors.crm.defaultSeverity: expected one of "critical", "error", "warning", "info"`,
        `config error: ${file}: connectors.salesforce: unknown key (known connectors: crm, monitoring)`,
      ].sort(),
    );
  });

  it('a connectors file that is not YAML stops the process with exit code 1, naming the line', async () => {
    const file = connectorsFile('connectors:\n  crm:\n    topic: [unclosed\n');
    const result = await start(withConnectorsFile(file));
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const prefix = `config error: ${file}: `;
      expect(line.startsWith(prefix), line).toBe(true);
      expect(line.slice(prefix.length)).toMatch(/^line \d+, column \d+: \S/);
    }
  });
});

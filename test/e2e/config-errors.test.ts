import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
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
});

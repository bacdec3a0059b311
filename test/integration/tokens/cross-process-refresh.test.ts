import { type ChildProcessByStdio, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { describe, expect, it, onTestFinished } from 'vitest';
import { consent, startTokenStack, type TokenStack } from './token-stack.ts';

const script = path.join(import.meta.dirname, 'refresh-race.child.ts');

interface Child {
  readonly process: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly lines: AsyncIterator<string>;
  readonly exited: Promise<number | null>;
}

function startChild(stack: TokenStack, connectionId: string, calls: number): Child {
  const child = spawn(process.execPath, [script, connectionId, String(calls)], {
    env: { ...stack.childEnv, PATH: process.env.PATH ?? '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code, signal) => {
      if (code !== 0) process.stderr.write(`refresh-race child exited ${code} ${signal}: ${stderr}\n`);
      resolve(code);
    });
  });
  onTestFinished(() => {
    if (child.exitCode === null) child.kill();
  });
  return { process: child, lines: createInterface({ input: child.stdout })[Symbol.asyncIterator](), exited };
}

async function nextLine(child: Child): Promise<string> {
  const { value, done } = await child.lines.next();
  if (done) throw new Error('child closed its output');
  return value;
}

/** Two processes, each `calls` concurrent Jira calls, started together once both are ready. */
async function race(stack: TokenStack, connectionId: string, calls: number) {
  const children = [startChild(stack, connectionId, calls), startChild(stack, connectionId, calls)];
  for (const child of children) expect(await nextLine(child)).toBe('ready');
  for (const child of children) child.process.stdin.write('go\n');
  return Promise.all(
    children.map(async (child) => {
      const result = JSON.parse(await nextLine(child)) as { ok: number; failures: string[] };
      expect(await child.exited).toBe(0);
      return result;
    }),
  );
}

describe('one refresh across processes', () => {
  it('two processes with 20 concurrent calls each on an expired token cause exactly one refresh', async () => {
    const stack = await startTokenStack();
    await consent(stack);
    const [connection] = await stack.services.connections.list();
    const accountId = connection?.accountIds[0] ?? '';
    const grant = await stack.services.tokenStore.get(accountId);
    if (!connection || !grant) throw new Error('consent stored nothing');
    // Expired on both sides: in the relay's store (so both processes must refresh before calling)
    // and at Atlassian (so the old token would not even work).
    await stack.services.tokenStore.update(grant, { expiresAt: Date.now() - 1000 });
    stack.sim.expireAccessTokens();

    const results = await race(stack, connection.id, 20);

    expect(results).toEqual([
      { ok: 20, failures: [] },
      { ok: 20, failures: [] },
    ]);
    expect(stack.sim.stats().tokenRequests.refresh_token).toBe(1);
    expect(await stack.services.tokenStore.get(accountId)).toMatchObject({ rotations: 1, status: 'active' });
  });

  it('two processes whose token Jira starts refusing (401) cause exactly one refresh', async () => {
    const stack = await startTokenStack();
    await consent(stack);
    const [connection] = await stack.services.connections.list();
    if (!connection) throw new Error('consent stored nothing');
    stack.sim.expireAccessTokens();

    const results = await race(stack, connection.id, 20);

    expect(results.map((r) => r.ok)).toEqual([20, 20]);
    expect(stack.sim.stats().tokenRequests.refresh_token).toBe(1);
  });
});

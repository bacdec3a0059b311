import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

/** A process the harness started, its output appended to a log file of its own. */
export interface Started {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
}

/** Spawns `command args` with stdout and stderr appended to `logFile` (they outlive the harness). */
export function spawnLogged(
  name: string,
  command: string,
  args: readonly string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; logFile: string },
): Started {
  const fd = openSync(opts.logFile, 'a');
  try {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', fd, fd] });
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null)));
      child.once('error', () => resolve(-1));
    });
    return { name, child, exited };
  } finally {
    closeSync(fd);
  }
}

export function isRunning(p: Started): boolean {
  return p.child.exitCode === null && p.child.signalCode === null;
}

/** SIGKILL, then waits for the exit. */
export async function killHard(p: Started): Promise<void> {
  if (isRunning(p)) p.child.kill('SIGKILL');
  await p.exited;
}

/** SIGTERM, then SIGKILL after `graceMs`. */
export async function stopGracefully(p: Started, graceMs = 10_000): Promise<void> {
  if (!isRunning(p)) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(timer);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `everyMs` until it is true; throws `what` after `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean> | boolean,
  opts: { timeoutMs: number; everyMs?: number; abort?: () => string | undefined },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (await check()) return;
    const aborted = opts.abort?.();
    if (aborted) throw new Error(`${what}: ${aborted}`);
    if (Date.now() > deadline) throw new Error(`${what}: not after ${Math.round(opts.timeoutMs / 1000)} s`);
    await sleep(opts.everyMs ?? 200);
  }
}

/** Runs a command to its end (async: the load and the fault schedule keep running meanwhile). */
export function runToEnd(
  command: string,
  args: readonly string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; logFile: string },
): Promise<number | null> {
  return spawnLogged(command, command, args, opts).exited;
}

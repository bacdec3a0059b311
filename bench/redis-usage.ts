/**
 * What a benchmark costs the local Redis: its CPU time from /proc and its command count from INFO.
 * Both are server-wide: other clients of the same Redis count too, which is why `sampleRedis` can
 * take a background reading to subtract.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux); 0 when unknown. */
export function cpuMsOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * (1000 / 100); // clock ticks of 10 ms
  } catch {
    return 0;
  }
}

/** The Redis server's pid when it runs on this machine, else undefined. */
export async function localRedisPid(redis: Redis): Promise<number | undefined> {
  if (!['127.0.0.1', 'localhost', '::1'].includes(redis.options.host ?? 'localhost')) return undefined;
  const pid = /process_id:(\d+)/.exec(await redis.info('server'))?.[1];
  return pid && existsSync(`/proc/${pid}/stat`) ? Number(pid) : undefined;
}

export interface RedisReading {
  /** performance.now() when read. */
  readonly at: number;
  /** Redis's CPU ms so far (0 when Redis is not local). */
  readonly cpuMs: number;
  /** Commands Redis processed so far (INFO total_commands_processed; inner Lua calls included). */
  readonly commands: number;
}

export async function readRedis(redis: Redis, pid: number | undefined): Promise<RedisReading> {
  const stats = await redis.info('stats');
  return {
    at: performance.now(),
    cpuMs: cpuMsOf(pid),
    commands: Number(/total_commands_processed:(\d+)/.exec(stats)?.[1] ?? Number.NaN),
  };
}

/** Redis's load from everybody else, per second, over `ms` while this process leaves it alone. */
export async function backgroundRate(
  redis: Redis,
  pid: number | undefined,
  ms: number,
): Promise<{ cpuMsPerSecond: number; commandsPerSecond: number }> {
  const before = await readRedis(redis, pid);
  await new Promise((r) => setTimeout(r, ms));
  const after = await readRedis(redis, pid);
  const seconds = (after.at - before.at) / 1000;
  return {
    cpuMsPerSecond: (after.cpuMs - before.cpuMs) / seconds,
    // The two INFO calls are ours.
    commandsPerSecond: Math.max(0, after.commands - before.commands - 1) / seconds,
  };
}

import { readFileSync } from 'node:fs';

/** Linux clock ticks per second (`getconf CLK_TCK`), the unit of /proc/<pid>/stat's CPU times. */
const ticksPerSecond = 100;

/**
 * CPU time (user + system, ms) a process has used so far, from /proc/<pid>/stat; NaN where there is
 * none (not Linux, or the process is gone). CPU time, unlike wall time, hardly depends on how many
 * other processes share the cores, so per-command figures compare across loaded runs.
 */
function cpuMsOf(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return Number.NaN;
  }
}

/** CPU ms of each named process from now until `stop()`, divided by `per`. */
export function cpuMeter(pids: Readonly<Record<string, number | undefined>>) {
  const start = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMsOf(pid)]));
  return {
    per(count: number): Record<string, number> {
      return Object.fromEntries(
        Object.entries(pids).map(([name, pid]) => [
          name,
          (cpuMsOf(pid) - (start[name] ?? Number.NaN)) / Math.max(1, count),
        ]),
      );
    },
  };
}

import { readFileSync } from 'node:fs';

/** Linux reports CPU time in clock ticks, 100 a second on every usual kernel. */
const TICKS_PER_SECOND = 100;

interface ProcSample {
  /** Peak resident set (VmHWM), kB. */
  readonly peakKb: number;
  /** User + system CPU, seconds. */
  readonly cpuSeconds: number;
}

function sampleProc(pid: number): ProcSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { peakKb: Number(hwm?.[1] ?? 0), cpuSeconds: ticks / TICKS_PER_SECOND };
  } catch {
    return undefined; // gone between the listing and the read
  }
}

/**
 * What the run costs: the peak memory and the CPU time of every process it started, by role (a
 * restarted process adds its CPU to its role's and competes for its peak), plus the harness itself.
 */
export class CostMeter {
  readonly #byPid = new Map<number, { role: string; sample: ProcSample }>();
  readonly #startedAt = Date.now();
  #timer: NodeJS.Timeout | undefined;

  start(targets: () => ReadonlyArray<readonly [string, number | undefined]>, everyMs = 2000): void {
    const tick = () => {
      for (const [role, pid] of targets()) {
        if (pid === undefined) continue;
        const sample = sampleProc(pid);
        if (sample) this.#byPid.set(pid, { role, sample });
      }
    };
    tick();
    this.#timer = setInterval(tick, everyMs);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** One line per role: peak RSS in MB and CPU seconds; then the harness and the wall time. */
  lines(): string[] {
    const roles = new Map<string, { peakKb: number; cpu: number; processes: number }>();
    for (const { role, sample } of this.#byPid.values()) {
      const r = roles.get(role) ?? { peakKb: 0, cpu: 0, processes: 0 };
      roles.set(role, {
        peakKb: Math.max(r.peakKb, sample.peakKb),
        cpu: r.cpu + sample.cpuSeconds,
        processes: r.processes + 1,
      });
    }
    const mb = (kb: number) => `${Math.round(kb / 1024)} MB`;
    const out = [...roles].map(
      ([role, r]) =>
        `  ${role.padEnd(10)} peak RSS ${mb(r.peakKb).padStart(7)}  CPU ${r.cpu.toFixed(1).padStart(6)} s  (${r.processes} process${r.processes > 1 ? 'es' : ''})`,
    );
    const self = process.resourceUsage();
    out.push(
      `  ${'harness'.padEnd(10)} peak RSS ${mb(self.maxRSS).padStart(7)}  CPU ${((self.userCPUTime + self.systemCPUTime) / 1e6).toFixed(1).padStart(6)} s  (simulator, load, Kafka reader)`,
    );
    out.push(`  wall time ${((Date.now() - this.#startedAt) / 1000).toFixed(0)} s`);
    return out;
  }
}

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type RelayProcess, startRelay } from '../relay-process.ts';

/** One place in the fleet (`api-1`, `worker-3`): the process in it changes when it is replaced. */
export interface FleetMember {
  readonly name: string;
  readonly role: 'api' | 'worker';
  relay: RelayProcess;
  /** Processes that held this place before (killed), for their output in failure messages. */
  readonly previous: RelayProcess[];
}

/**
 * The relay as an operator scales it out: `node src/main.ts` processes with ROLE=api or
 * ROLE=worker, all with the same environment (one QUEUE_PREFIX, one TOKEN_ENCRYPTION_KEY, one
 * PUBLIC_URL: the load balancer's), each on a port of its own.
 */
export class RelayFleet {
  readonly members: FleetMember[];
  readonly #env: Readonly<Record<string, string>>;

  private constructor(env: Readonly<Record<string, string>>, members: FleetMember[]) {
    this.#env = env;
    this.members = members;
  }

  /**
   * Starts every process at once, as a rollout does; resolves when each answers /readyz 200.
   * Workers started together against a fresh cluster race to create the topics (each must come
   * up, whichever created them).
   */
  static async start(
    env: Readonly<Record<string, string>>,
    counts: { api: number; worker: number },
  ): Promise<RelayFleet> {
    const places = [
      ...Array.from({ length: counts.worker }, (_, i) => ({
        name: `worker-${i + 1}`,
        role: 'worker' as const,
      })),
      ...Array.from({ length: counts.api }, (_, i) => ({ name: `api-${i + 1}`, role: 'api' as const })),
    ];
    const started = await Promise.allSettled(places.map((p) => startRelay({ ...env, ROLE: p.role })));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed || started.length < places.length) {
      await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
      throw failed?.reason ?? new Error('the fleet did not start');
    }
    const members = places.map((p, i) => {
      const s = started[i];
      if (s?.status !== 'fulfilled') throw new Error(`${p.name} did not start`);
      return { ...p, relay: s.value, previous: [] };
    });
    return new RelayFleet(env, members);
  }

  member(name: string): FleetMember {
    const found = this.members.find((m) => m.name === name);
    if (!found) throw new Error(`no fleet member ${name}`);
    return found;
  }

  /** The api processes' URLs: the load balancer's backends. */
  apiUrls(): string[] {
    return this.members.filter((m) => m.role === 'api').map((m) => m.relay.url);
  }

  /** SIGKILL: no shutdown hook runs; its active jobs stay locked until their locks lapse. */
  async kill(name: string): Promise<{ pid: number | undefined; signal: NodeJS.Signals | null }> {
    const { relay } = this.member(name);
    await relay.stop('SIGKILL');
    return { pid: relay.child.pid, signal: relay.child.signalCode };
  }

  /** A new process in the place, as a supervisor would start one; resolves once it is ready. */
  async replace(name: string): Promise<RelayProcess> {
    const m = this.member(name);
    const relay = await startRelay({ ...this.#env, ROLE: m.role });
    m.previous.push(m.relay);
    m.relay = relay;
    return relay;
  }

  /**
   * GET /readyz of every member now: those that did not answer 200, each with why, e.g.
   * `worker-3 (kafka)` (the services /readyz names as down) or `worker-3 (no answer)`.
   */
  async notReady(timeoutMs = 1500): Promise<string[]> {
    const answers = await Promise.all(
      this.members.map(async (m): Promise<string | undefined> => {
        try {
          const r = await fetch(`${m.relay.url}/readyz`, { signal: AbortSignal.timeout(timeoutMs) });
          if (r.status === 200) return undefined;
          const body = (await r.json().catch(() => ({}))) as { down?: string[] };
          return `${m.name} (${body.down?.join(', ') || r.status})`;
        } catch {
          return `${m.name} (no answer)`;
        }
      }),
    );
    return answers.filter((a) => a !== undefined);
  }

  /** Replaces `dir` with every process's output (killed ones included), one file each; returns the paths. */
  writeLogs(dir: string): string[] {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    return this.members.flatMap((m) =>
      [...m.previous, m.relay].map((r) => {
        const file = path.join(dir, `${m.name}-${r.child.pid}.log`);
        writeFileSync(file, r.output());
        return file;
      }),
    );
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.members.map((m) => m.relay.stop()));
  }
}

/**
 * The Atlassian simulator for `bench/commands.ts`, in a child process of its own (as the backfill
 * benchmark does): its event loop then competes neither with the command producer nor with the reader
 * whose receive times are the latencies. The parent talks to it over HTTP (`/_sim/stats`) and IPC.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface SimInfo {
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly sites: readonly { readonly cloudId: string; readonly host: string }[];
}

export interface SimSettings {
  readonly sites: number;
  readonly issuesPerSite: number;
  /** False turns the simulator's per-site burst buckets off (Jira's 100 GET/POST, 50 PUT/DELETE per s). */
  readonly bursts: boolean;
}

/** What the simulator counted: requests and points by route, 429s by reason, webhook deliveries. */
export interface SimCounters {
  readonly requests: Readonly<Record<string, number>>;
  readonly pointsByRoute: Readonly<Record<string, number>>;
  readonly rateLimited: Readonly<Record<string, number>>;
  readonly webhooks: Readonly<Record<string, number>>;
}

export interface SimChild {
  readonly info: SimInfo;
  readonly pid: number | undefined;
  counters(): Promise<SimCounters>;
  stop(): Promise<void>;
}

export async function startSimChild(settings: SimSettings): Promise<SimChild> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', JSON.stringify(settings)], {
    stdio: 'inherit',
  });
  const info = await new Promise<SimInfo>((resolve, reject) => {
    child.once('message', (m) => resolve(m as SimInfo));
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  return {
    info,
    pid: child.pid,
    async counters() {
      const res = await fetch(`${info.url}/_sim/stats`);
      return (await res.json()) as SimCounters;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('stop');
      await exited;
    },
  };
}

async function serve(settings: SimSettings): Promise<void> {
  const { startSimulator } = await import('../test/sim/index.ts');
  const sim = await startSimulator({
    port: 0,
    sites: settings.sites,
    issuesPerSite: settings.issuesPerSite,
    // The hourly quota is reported as a figure (points per command), not hit as a wall mid-run.
    pointsPerWindow: Number.MAX_SAFE_INTEGER,
    ...(settings.bursts ? {} : { burstGetPostPerSecond: 0, burstPutDeletePerSecond: 0 }),
    webhookRetryDelaysMs: [200, 400, 800, 1600, 3200],
  });
  const info: SimInfo = {
    url: sim.url,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
    sites: sim.sites.map((s) => ({ cloudId: s.cloudId, host: s.host })),
  };
  process.send?.(info);
  process.on('message', async () => {
    await sim.close();
    process.exit(0);
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--serve') {
  await serve(JSON.parse(process.argv[3] ?? '{}') as SimSettings);
}

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Cleanups } from '../../scripts/demo/cleanups.ts';
import { freePort } from '../../test/helpers/relay-process.ts';
import { type Simulator, startSimulator } from '../../test/sim/index.ts';
import { JiraReader } from './jira-reader.ts';
import { topicMessageCount } from './kafka-read.ts';
import type { SiteInfo } from './load-model.ts';
import type { ChaosOptions } from './options.ts';
import { sleep, waitUntil } from './processes.ts';
import { RelayFleet, topics } from './relay.ts';
import { KafkaBroker, RedisServer } from './services.ts';
import type { Timeline } from './timeline.ts';

/** Everything a run started, ready for the load. */
export interface Rig {
  readonly dir: string;
  readonly logDir: string;
  readonly redis: RedisServer;
  readonly kafka: KafkaBroker;
  readonly sim: Simulator;
  readonly fleet: RelayFleet;
  readonly reader: JiraReader;
  readonly sites: readonly SiteInfo[];
}

/** The run's dir (logs are kept; Redis's and the broker's data go at the end unless asked to stay). */
function runDir(o: ChaosOptions, cleanups: Cleanups): string {
  const dir = o.dir ?? mkdtempSync(path.join(tmpdir(), 'jira-relay-chaos-'));
  mkdirSync(path.join(dir, 'logs'), { recursive: true });
  if (!o.keepData) {
    cleanups.add(() => {
      for (const data of ['redis', 'kafka/data'])
        rmSync(path.join(dir, data), { recursive: true, force: true });
    });
  }
  return dir;
}

async function startServices(dir: string, cleanups: Cleanups, timeline: Timeline) {
  const redis = new RedisServer(await freePort(), dir);
  const kafka = new KafkaBroker({ port: await freePort(), controllerPort: await freePort() }, dir);
  cleanups.add(() => kafka.stop());
  cleanups.add(() => redis.stop());
  await Promise.all([redis.start(), kafka.start(true)]);
  timeline.add(`redis on :${redis.port} (AOF everysec), broker on :${kafka.port}`);
  return { redis, kafka };
}

async function startSim(o: ChaosOptions, cleanups: Cleanups): Promise<Simulator> {
  const sim = await startSimulator({
    port: 0,
    sites: o.sites,
    issuesPerSite: o.issuesPerSite,
    seed: o.seed,
    webhookRetryDelaysMs: [...o.retryDelaysMs],
  });
  cleanups.add(() => sim.close());
  return sim;
}

/** Waits until the backfill has published every seeded issue and the topic stopped growing. */
async function waitForBackfill(kafka: KafkaBroker, seeded: number): Promise<number> {
  let last = -1;
  let stable = 0;
  await waitUntil(
    'backfill published',
    async () => {
      const count = await topicMessageCount(kafka.brokers, topics.crm);
      stable = count === last && count >= seeded ? stable + 1 : 0;
      last = count;
      return stable >= 3;
    },
    { timeoutMs: 180_000, everyMs: 1000 },
  );
  return last;
}

/**
 * Redis and a broker of the run's own, the simulator, the relay (api + two workers) connected to
 * both sites by consent, its webhooks registered and its backfill of the seeded issues on Kafka.
 */
export async function setUp(o: ChaosOptions, cleanups: Cleanups, timeline: Timeline): Promise<Rig> {
  const dir = runDir(o, cleanups);
  const logDir = path.join(dir, 'logs');
  timeline.add(`run dir ${dir} (logs in ${logDir})`);
  const { redis, kafka } = await startServices(dir, cleanups, timeline);
  const sim = await startSim(o, cleanups);
  const fleet = await RelayFleet.create({
    redisUrl: redis.url,
    brokers: kafka.brokers,
    sim,
    logDir,
    logLevel: o.logLevel,
    relayDir: o.relayDir,
  });
  cleanups.add(() => fleet.stopAll());
  await fleet.waitAllReady();
  timeline.add(
    `relay (${fleet.relayDir}) ready: ${fleet.procs.map((p) => `${p.name} :${p.port}`).join(', ')}`,
  );
  await fleet.connect();
  await waitUntil('webhooks registered', () => sim.control.state().sites.every((s) => s.webhooks >= 1), {
    timeoutMs: 30_000,
  });
  const reader = await JiraReader.create(sim);
  const state = sim.control.state();
  const sites = sim.sites.map((s) => ({
    cloudId: s.cloudId,
    host: s.host,
    projects: state.sites.find((x) => x.cloudId === s.cloudId)?.projects ?? [],
  }));
  const seeded = state.sites.reduce((sum, s) => sum + s.issues, 0);
  const published = await waitForBackfill(kafka, seeded);
  timeline.add(
    `connected ${sites.length} sites; backfill of ${seeded} seeded issues on Kafka (${published} CRM events)`,
  );
  await sleep(500);
  return { dir, logDir, redis, kafka, sim, fleet, reader, sites };
}

import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeliveryWatch } from '../../../bench/chaos/deliveries.ts';
import { JiraReader } from '../../../bench/chaos/jira-reader.ts';
import { TopicReader } from '../../../bench/chaos/kafka-read.ts';
import type { SiteInfo } from '../../../bench/chaos/load-model.ts';
import { waitUntil } from '../../../bench/chaos/processes.ts';
import type { Cleanups } from '../../../scripts/demo/cleanups.ts';
import { type Simulator, startSimulator } from '../../sim/index.ts';
import { consentThroughSimulator } from '../consent.ts';
import { relayServiceEnv } from '../relay-env.ts';
import { freePort, writeConnectorsFile } from '../relay-process.ts';
import { uniqueName } from '../services.ts';
import { RoundRobinBalancer } from './balancer.ts';
import { fleetKafkaBrokers, kafkaCluster, redisCluster } from './clusters.ts';
import { RelayFleet } from './relay-fleet.ts';

/** Everything the fleet test started, ready for the load. */
export interface FleetRig {
  readonly sim: Simulator;
  readonly balancer: RoundRobinBalancer;
  readonly fleet: RelayFleet;
  readonly reader: TopicReader;
  readonly jira: JiraReader;
  readonly sites: readonly SiteInfo[];
  readonly webhooks: DeliveryWatch;
  readonly topics: { readonly crm: string; readonly monitoring: string; readonly dlq: string };
  /** The queues' hash slot on the Redis Cluster; undefined when the relay runs on one Redis. */
  readonly redisSlot: number | undefined;
  /** Where every relay process's output is written when the fleet stops. */
  readonly logDir: string;
  /** How long each step of the set-up took, e.g. `clusters 21.0 s, fleet ready 9.5 s, ...`. */
  readonly setUpTimes: string;
}

/** Records how long each step took since the previous one. */
function stepTimer(): { step(name: string): void; readonly line: string } {
  const steps: string[] = [];
  let last = Date.now();
  return {
    step(name) {
      steps.push(`${name} ${((Date.now() - last) / 1000).toFixed(1)} s`);
      last = Date.now();
    },
    get line() {
      return steps.join(', ');
    },
  };
}

/**
 * Durations shortened so that polling and the deletion reconcile recover, within the test's wait,
 * what a fault kept the webhooks from delivering, and a killed worker's sync job is taken over soon.
 */
const tunables = {
  SYNC_POLL_MIN_INTERVAL_SECONDS: '3',
  SYNC_POLL_MAX_INTERVAL_SECONDS: '10',
  SYNC_PLAN_INTERVAL_SECONDS: '5',
  SYNC_RECONCILE_INTERVAL_SECONDS: '15',
  SYNC_POLL_OVERLAP_MS: '10000',
  SYNC_JOB_LOCK_MS: '5000',
  SYNC_SITE_LEASE_MS: '5000',
  SYNC_SITE_BUSY_RETRY_MS: '500',
  SHUTDOWN_TIMEOUT_MS: '5000',
  KAFKA_TOPIC_PARTITIONS: '3',
  KAFKA_REPLICATION_FACTOR: '3',
  KAFKA_MIN_INSYNC_REPLICAS: '2',
};

async function startClusters(cleanups: Cleanups, withRedis: boolean): Promise<void> {
  const [kafka, redis] = await Promise.all([
    kafkaCluster.start(),
    withRedis ? redisCluster.start() : undefined,
  ]);
  if (kafka.startedHere) cleanups.add(() => kafkaCluster.stop());
  if (redis?.startedHere) cleanups.add(() => redisCluster.stop());
}

/** What every process gets: the clusters, the simulator, and the balancer as the public URL. */
async function fleetEnv(sim: Simulator, publicUrl: string, topics: FleetRig['topics'], redis: boolean) {
  const prefix = uniqueName('fleet');
  const env: Record<string, string> = {
    ...relayServiceEnv(sim),
    ...tunables,
    KAFKA_BROKERS: fleetKafkaBrokers.join(','),
    PUBLIC_URL: publicUrl,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    CONNECTORS_CONFIG: writeConnectorsFile(topics),
    KAFKA_DLQ_TOPIC: topics.dlq,
    // As operators set it: on a cluster the relay makes it the hash tag `{prefix}` itself, so
    // every queue key is in the slot of `prefix` (the one whose primary the failover kills).
    QUEUE_PREFIX: prefix,
  };
  if (redis) {
    env.REDIS_CLUSTER_NODES = await redisCluster.nodes();
    // In cluster mode REDIS_URL gives only the nodes' credentials and TLS (docs/configuration.md):
    // nothing listens at its address, so a client that still connected there would fail here
    // instead of quietly working on the one Redis of the test run.
    env.REDIS_URL = `redis://127.0.0.1:${await freePort()}`;
  }
  return { env, slot: redis ? await redisCluster.keySlot(prefix) : undefined };
}

async function connectSites(sim: Simulator, balancer: RoundRobinBalancer): Promise<void> {
  const consent = await consentThroughSimulator(balancer.url);
  if (consent.status !== 200)
    throw new Error(`consent answered ${consent.status}: ${consent.html.slice(0, 300)}`);
  await waitUntil('webhooks registered', () => sim.control.state().sites.every((s) => s.webhooks >= 1), {
    timeoutMs: 30_000,
  });
}

/** Waits until the backfill has published a ticket for every issue the sites started with. */
async function waitForBackfill(reader: TopicReader, crmTopic: string, seeded: number): Promise<void> {
  const ticketKeys = () =>
    new Set(
      reader.messages
        .filter((m) => m.topic === crmTopic && m.headers.ce_type === 'dev.jirarelay.crm.ticket.upserted')
        .map((m) => m.key),
    ).size;
  await waitUntil('the backfill on Kafka', () => ticketKeys() >= seeded, {
    timeoutMs: 90_000,
    abort: () => reader.crashed,
  });
}

/**
 * The clusters (started, or reused when up), the simulator with two sites, the balancer, 2 api and
 * 3 worker processes behind it, both sites connected through the balancer, their webhooks
 * registered, and the backfill of the seeded issues on Kafka.
 */
export async function setUpFleet(cleanups: Cleanups, o: { redisCluster: boolean }): Promise<FleetRig> {
  const timer = stepTimer();
  await startClusters(cleanups, o.redisCluster);
  timer.step(o.redisCluster ? 'Kafka and Redis clusters up' : 'Kafka cluster up');
  const sim = await startSimulator({
    port: 0,
    sites: 2,
    issuesPerSite: 8,
    webhookRetryDelaysMs: [1000, 2000, 4000, 8000, 16000],
  });
  cleanups.add(() => sim.close());
  let fleet: RelayFleet | undefined;
  const balancer = await RoundRobinBalancer.start(() => fleet?.apiUrls() ?? []);
  cleanups.add(() => balancer.close());
  const topics = { crm: uniqueName('crm'), monitoring: uniqueName('monitoring'), dlq: uniqueName('dlq') };
  const { env, slot } = await fleetEnv(sim, balancer.url, topics, o.redisCluster);
  const started = await RelayFleet.start(env, { api: 2, worker: 3 });
  fleet = started;
  timer.step('2 api + 3 workers ready');
  // One folder, replaced by each run, so runs do not pile logs up in the temp dir.
  const logDir = path.join(tmpdir(), 'jira-relay-fleet-logs');
  cleanups.add(async () => {
    await started.stopAll();
    started.writeLogs(logDir);
  });
  await connectSites(sim, balancer);
  timer.step('sites connected');
  const webhooks = new DeliveryWatch(sim);
  webhooks.start();
  cleanups.add(() => webhooks.stop());
  // After the workers created the topics (replication factor 3, min.insync.replicas 2).
  const reader = await TopicReader.start(fleetKafkaBrokers[0] ?? '', [
    topics.crm,
    topics.monitoring,
    topics.dlq,
  ]);
  cleanups.add(() => reader.stop());
  const state = sim.control.state();
  const sites = state.sites.map((s) => ({ cloudId: s.cloudId, host: s.host, projects: s.projects }));
  await waitForBackfill(
    reader,
    topics.crm,
    state.sites.reduce((sum, s) => sum + s.issues, 0),
  );
  timer.step('backfill on Kafka');
  const jira = await JiraReader.create(sim);
  return {
    sim,
    balancer,
    fleet: started,
    reader,
    jira,
    sites,
    webhooks,
    topics,
    redisSlot: slot,
    logDir,
    setUpTimes: timer.line,
  };
}

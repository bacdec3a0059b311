/**
 * Job granularity benchmark (not a test): one BullMQ job per change, the product's design (the real
 * changes worker runs every connector in one job, with a published-version marker per connector),
 * against one job per (change, connector). Both on real Redis and Kafka with the product's pieces:
 * processChange, RedisEntityState, MappingProvider over the real CRM and monitoring connectors,
 * RedisPublishedVersions and KafkaEventPublisher, with the relay's default worker concurrency, job
 * options and publisher settings (the same environment variables change them here too).
 *   node bench/job-granularity.ts [changes] [issues]   (defaults 20000 400; REDIS_URL, KAFKA_BROKERS)
 *   BENCH_GRANULARITY_ROUNDS=2: each design this many times, in alternating order.
 * Each change is an issue update that moves the incident lifecycle on (to do, in progress, done, to do
 * again ...), so it gives one CRM and one monitoring event. Changes/s: from the first enqueue (in
 * batches of 100 changes, while the worker runs) until the last job completed, i.e. until Kafka acked
 * every event. Writes bench/results/job-granularity.{json,md}.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DelayedError, type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config } from '../config/index.ts';
import { pipelineVars } from '../config/schema/pipeline.ts';
import { parseConnectorsConfig } from '../connectors/config/parse-connectors-config.ts';
import { entityRef, type IssueSnapshot, type JiraChange } from '../connectors/jira-change.ts';
import { type EnabledConnector, enabledConnectors } from '../connectors/registry.ts';
import type { RelayEvent } from '../connectors/relay-event.ts';
import { isRelayError } from '../src/errors.ts';
import type { EventPublisher } from '../src/kafka/event-publisher.ts';
import { createKafkaClient } from '../src/kafka/kafka-client.ts';
import { KafkaEventPublisher } from '../src/kafka/kafka-event-publisher.ts';
import { createLogger } from '../src/logger.ts';
import { createMetrics } from '../src/metrics/registry.ts';
import { PublishBusyError } from '../src/pipeline/connector-turn.ts';
import { MappingProvider } from '../src/pipeline/mapping-provider.ts';
import { type ChangeOutcome, type ProcessChangeDeps, processChange } from '../src/pipeline/process-change.ts';
import { BullChangeQueue, type ChangeJob, changeJobSchema } from '../src/queues/change-queue.ts';
import { defaultJobOptions } from '../src/queues/job-options.ts';
import { queueNames } from '../src/queues/queue-names.ts';
import { RedisEntityState } from '../src/state/entity-state.ts';
import { RedisPublishedVersions } from '../src/state/published-versions.ts';
import { issueChange, issueSnapshot } from '../test/helpers/changes.ts';
import { deleteKeysAt, scanKeys } from '../test/helpers/redis-keys.ts';
import { startChangesWorker } from '../workers/changes-worker.ts';
import { backgroundRate, localRedisPid, readRedis } from './redis-usage.ts';

type Design = 'per-change' | 'per-connector';

interface Row {
  readonly design: Design;
  readonly round: number;
  readonly changes: number;
  readonly jobs: number;
  readonly seconds: number;
  readonly changesPerSecond: number;
  /** Seconds the producer took to enqueue everything (while the worker ran). */
  readonly enqueueSeconds: number;
  /** Events Kafka acked, per connector topic. */
  readonly events: { readonly crm: number; readonly monitoring: number };
  /** Jobs whose change was dropped as stale by the entity-state guard. */
  readonly stale: number;
  /** Job attempts that failed (then retried). */
  readonly failedAttempts: number;
  /** This process (producer, worker, publisher): CPU µs per change. */
  readonly processCpuUsPerChange: number;
  /** Redis CPU µs and commands per change, less the background load measured just before. */
  readonly redisCpuUsPerChange: number | null;
  readonly redisCommandsPerChange: number;
  /** Redis keys of entity state and published markers left after the run. */
  readonly stateKeys: { readonly entity: number; readonly published: number };
}

const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',');
const log = createLogger({ level: 'silent' });
const site = { host: 'bench-granularity.atlassian.net', cloudId: 'bench-cloud' };
const CHUNK = 100;

/** The relay's defaults for these settings (or what the environment says, as for the relay). */
const settings = {
  concurrency: pipelineVars.WORKER_CONCURRENCY.schema.parse(process.env.WORKER_CONCURRENCY),
  partitions: pipelineVars.KAFKA_TOPIC_PARTITIONS.schema.parse(process.env.KAFKA_TOPIC_PARTITIONS),
  lingerMs: pipelineVars.KAFKA_LINGER_MS.schema.parse(process.env.KAFKA_LINGER_MS),
  maxBatchMessages: pipelineVars.KAFKA_BATCH_MAX_MESSAGES.schema.parse(process.env.KAFKA_BATCH_MAX_MESSAGES),
  retryMaxDelayMs: pipelineVars.KAFKA_RETRY_MAX_DELAY_MS.schema.parse(process.env.KAFKA_RETRY_MAX_DELAY_MS),
  claimTtlMs: pipelineVars.PUBLISH_CLAIM_TTL_MS.schema.parse(process.env.PUBLISH_CLAIM_TTL_MS),
  markerTtlSeconds: pipelineVars.PUBLISHED_VERSION_TTL_SECONDS.schema.parse(
    process.env.PUBLISHED_VERSION_TTL_SECONDS,
  ),
};
const jobOptions = defaultJobOptions({
  JOB_ATTEMPTS: pipelineVars.JOB_ATTEMPTS.schema.parse(process.env.JOB_ATTEMPTS),
  JOB_BACKOFF_MS: pipelineVars.JOB_BACKOFF_MS.schema.parse(process.env.JOB_BACKOFF_MS),
  JOB_COMPLETED_RETENTION: pipelineVars.JOB_COMPLETED_RETENTION.schema.parse(
    process.env.JOB_COMPLETED_RETENTION,
  ),
  JOB_FAILED_RETENTION: pipelineVars.JOB_FAILED_RETENTION.schema.parse(process.env.JOB_FAILED_RETENTION),
} satisfies Partial<Config> as Config);

const statuses: readonly IssueSnapshot['status'][] = [
  { id: '1', name: 'To Do', category: 'new' },
  { id: '3', name: 'In Progress', category: 'indeterminate' },
  { id: '5', name: 'Done', category: 'done' },
];

/**
 * `total` issue changes over `issues` issues, round by round (every issue once, then every issue
 * again), so two versions of one issue are rarely in flight together. Round r moves the status one
 * lifecycle state on: a monitoring event every time (triggered, acknowledged, resolved, triggered).
 */
function buildChanges(total: number, issues: number): JiraChange[] {
  const base = Date.parse('2024-03-01T10:00:00Z');
  return Array.from({ length: total }, (_, k) => {
    const round = Math.floor(k / issues);
    const n = k % issues;
    const version = base + round * 60_000 + n;
    return issueChange({
      kind: round === 0 ? 'created' : 'updated',
      site,
      issue: issueSnapshot({
        id: String(500_000 + n),
        key: `OPS-${n + 1}`,
        summary: `Checkout is down (${round})`,
        status: statuses[round % statuses.length] as IssueSnapshot['status'],
        updated: new Date(version).toISOString().replace('Z', '+0000'),
      }),
      version,
      observedAt: version + 500,
    });
  });
}

/** The same job id scheme as BullChangeQueue's, with the connector appended. */
function connectorJobId(change: JiraChange, connector: string): string {
  const { kind, id } = entityRef(change);
  const name = `${change.site.host}|${kind}|${id}|${change.version}`;
  return `c-${createHash('sha256').update(name).digest('hex').slice(0, 32)}-${connector}`;
}

/** The Kafka publisher, counting the events the broker acked, per topic. */
function counting(inner: EventPublisher, acked: Map<string, number>): EventPublisher {
  return {
    async publish(events: readonly RelayEvent[]) {
      await inner.publish(events);
      for (const e of events) acked.set(e.topic, (acked.get(e.topic) ?? 0) + 1);
    },
    publishDeadLetter: (letter) => inner.publishDeadLetter(letter),
    close: () => inner.close(),
  };
}

interface Bench {
  readonly connectors: readonly EnabledConnector[];
  readonly topics: { readonly crm: string; readonly monitoring: string; readonly dlq: string };
  readonly kafka: ReturnType<typeof createKafkaClient>;
  readonly control: Redis;
  readonly redisPid: number | undefined;
}

function pipelineDeps(
  redis: Redis,
  statePrefix: string,
  markerPrefix: string,
  connectors: readonly EnabledConnector[],
  publisher: EventPublisher,
): ProcessChangeDeps {
  return {
    entities: new RedisEntityState(redis, statePrefix),
    mappings: new MappingProvider({ connectors, fields: async () => undefined, ttlMs: 3_600_000, log }),
    published: new RedisPublishedVersions(redis, {
      prefix: markerPrefix,
      claimTtlMs: settings.claimTtlMs,
      markerTtlSeconds: settings.markerTtlSeconds,
    }),
    publisher,
    log,
    metrics: createMetrics(),
    now: () => new Date(),
  };
}

interface ConnectorJob {
  readonly change: JiraChange;
  readonly connector: string;
}

/**
 * The alternative's worker: one connector for one change, through the product's processChange with
 * a MappingProvider that holds only that connector. Error handling as the changes worker's.
 */
function startConnectorWorker(
  queueName: string,
  prefix: string,
  depsByConnector: ReadonlyMap<string, ProcessChangeDeps>,
): Worker<ConnectorJob> {
  return new Worker<ConnectorJob>(
    queueName,
    async (job: Job<ConnectorJob>, token?: string): Promise<ChangeOutcome> => {
      const parsed = changeJobSchema.safeParse(job.data);
      const deps = depsByConnector.get(job.data.connector);
      if (!parsed.success || !deps) throw new UnrecoverableError('invalid connector job');
      const change = parsed.data.change as unknown as JiraChange;
      const childLog = deps.log.child({ queue: queueName, jobId: job.id, site: change.site.host });
      try {
        return await processChange(change, { ...deps, log: childLog });
      } catch (err) {
        if (err instanceof PublishBusyError && token !== undefined) {
          await job.moveToDelayed(Date.now() + Math.max(err.retryInMs, 10), token);
          throw new DelayedError();
        }
        if (isRelayError(err) && !err.retryable) throw new UnrecoverableError(err.message);
        throw err;
      }
    },
    {
      connection: { url: redisUrl, maxRetriesPerRequest: null },
      prefix,
      concurrency: settings.concurrency,
    },
  );
}

/** One design over `changes`: enqueue while the worker runs, until every job completed. */
async function runDesign(bench: Bench, design: Design, changes: readonly JiraChange[], round: number) {
  const prefix = `bench-granularity-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const kafkaPublisher = new KafkaEventPublisher({
    kafka: bench.kafka,
    dlqTopic: bench.topics.dlq,
    lingerMs: settings.lingerMs,
    maxBatchMessages: settings.maxBatchMessages,
    retryMaxDelayMs: settings.retryMaxDelayMs,
    publishTimeoutMs: 30_000,
    maxPendingMessages: 100_000,
    log,
  });
  await kafkaPublisher.connect();
  const acked = new Map<string, number>();
  const publisher = counting(kafkaPublisher, acked);
  let worker: Worker;
  let queue: Queue;
  let enqueue: (chunk: readonly JiraChange[]) => Promise<void>;
  let jobsPerChange: number;
  if (design === 'per-change') {
    // The product: the real changes worker, every connector in one job.
    const deps = pipelineDeps(redis, prefix, prefix, bench.connectors, publisher);
    const changeQueue = new Queue<ChangeJob>(queueNames.changes, {
      connection: { url: redisUrl },
      prefix,
      defaultJobOptions: jobOptions,
    });
    const producer = new BullChangeQueue(changeQueue);
    queue = changeQueue;
    enqueue = (chunk) => producer.enqueue(chunk);
    jobsPerChange = 1;
    worker = startChangesWorker(
      {
        connection: { url: redisUrl, maxRetriesPerRequest: null },
        prefix,
        concurrency: settings.concurrency,
      },
      deps,
    );
  } else {
    // One job per connector. Each connector needs its own entity state: with one shared prefix,
    // `entities.decide` would record the version for the first connector's job and drop the
    // second connector's job for the same change as stale (its version is no longer newer), and
    // the monitoring connector would compare against a snapshot another job had already moved
    // on. This per-connector state (one more hash per entity and connector, one more script call
    // per job) is exactly what the per-connector design costs on top of its markers.
    const depsByConnector = new Map(
      bench.connectors.map((c) => [
        c.name,
        pipelineDeps(redis, `${prefix}:${c.name}`, prefix, [c], publisher),
      ]),
    );
    const connectorQueue = new Queue<ConnectorJob>('changes-per-connector', {
      connection: { url: redisUrl },
      prefix,
      defaultJobOptions: jobOptions,
    });
    queue = connectorQueue;
    enqueue = async (chunk) => {
      await connectorQueue.addBulk(
        chunk.flatMap((change) =>
          bench.connectors.map((c) => ({
            name: `${change.entity}.${change.kind}`,
            data: { change, connector: c.name },
            opts: { jobId: connectorJobId(change, c.name) },
          })),
        ),
      );
    };
    jobsPerChange = bench.connectors.length;
    worker = startConnectorWorker(connectorQueue.name, prefix, depsByConnector);
  }
  const jobs = changes.length * jobsPerChange;
  let completed = 0;
  let stale = 0;
  let failedAttempts = 0;
  worker.on('completed', (_job, result: ChangeOutcome | undefined) => {
    completed++;
    if (result?.outcome === 'stale') stale++;
  });
  worker.on('failed', () => failedAttempts++);
  try {
    await Promise.all([worker.waitUntilReady(), queue.waitUntilReady()]);
    const background = await backgroundRate(bench.control, bench.redisPid, 1000);
    const redisBefore = await readRedis(bench.control, bench.redisPid);
    const cpuBefore = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < changes.length; i += CHUNK) await enqueue(changes.slice(i, i + CHUNK));
    const enqueueSeconds = (performance.now() - t0) / 1000;
    // Done when every job completed; give up when nothing moves for 30 s (jobs failing for good).
    let last = { completed: -1, at: performance.now() };
    while (completed < jobs) {
      if (completed !== last.completed) last = { completed, at: performance.now() };
      else if (performance.now() - last.at > 30_000) {
        throw new Error(
          `${design}: stuck at ${completed} of ${jobs} jobs (${failedAttempts} failed attempts)`,
        );
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const redisAfter = await readRedis(bench.control, bench.redisPid);
    const redisSeconds = (redisAfter.at - redisBefore.at) / 1000;
    const redisCpuMs = redisAfter.cpuMs - redisBefore.cpuMs - background.cpuMsPerSecond * redisSeconds;
    const commands = redisAfter.commands - redisBefore.commands - background.commandsPerSecond * redisSeconds;
    const keys = await scanKeys(redis, prefix);
    const row: Row = {
      design,
      round,
      changes: changes.length,
      jobs,
      seconds,
      changesPerSecond: changes.length / seconds,
      enqueueSeconds,
      events: {
        crm: acked.get(bench.topics.crm) ?? 0,
        monitoring: acked.get(bench.topics.monitoring) ?? 0,
      },
      stale,
      failedAttempts,
      processCpuUsPerChange: (cpu.user + cpu.system) / changes.length,
      redisCpuUsPerChange: bench.redisPid === undefined ? null : (redisCpuMs * 1000) / changes.length,
      redisCommandsPerChange: commands / changes.length,
      stateKeys: {
        entity: keys.filter((k) => k.includes(':entity:')).length,
        published: keys.filter((k) => k.includes(':published:')).length,
      },
    };
    return row;
  } finally {
    await worker.close();
    await queue.close();
    await publisher.close();
    redis.disconnect();
    await deleteKeysAt(redisUrl, prefix);
  }
}

function table(rows: readonly Row[]): string {
  const fmt = (n: number | null, digits = 0) => (n === null ? 'n/a' : n.toFixed(digits));
  return [
    '| design | round | changes | jobs | seconds | changes/s | events (CRM + monitoring) | stale | failed attempts | bench process CPU µs/change | Redis CPU µs/change | Redis commands/change | entity + marker keys |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.design === 'per-change' ? 'one job per change (product)' : 'one job per connector'} | ${r.round} | ${r.changes} | ${r.jobs} | ${r.seconds.toFixed(1)} | **${r.changesPerSecond.toFixed(0)}** | ${r.events.crm} + ${r.events.monitoring} | ${r.stale} | ${r.failedAttempts} | ${fmt(r.processCpuUsPerChange)} | ${fmt(r.redisCpuUsPerChange)} | ${fmt(r.redisCommandsPerChange, 1)} | ${r.stateKeys.entity} + ${r.stateKeys.published} |`,
    ),
  ].join('\n');
}

async function main(total: number, issues: number, rounds: number): Promise<void> {
  const suffix = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const topics = {
    crm: `bench-granularity-crm-${suffix}`,
    monitoring: `bench-granularity-mon-${suffix}`,
    dlq: `bench-granularity-dlq-${suffix}`,
  };
  const parsed = parseConnectorsConfig(
    `connectors:\n  crm: { enabled: true, topic: ${topics.crm} }\n  monitoring: { enabled: true, topic: ${topics.monitoring} }\n`,
  );
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  const kafka = createKafkaClient({ brokers, clientId: 'bench-granularity', log });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: Object.values(topics).map((topic) => ({ topic, numPartitions: settings.partitions })),
    waitForLeaders: true,
  });
  const control = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const bench: Bench = {
    connectors: enabledConnectors(parsed.config),
    topics,
    kafka,
    control,
    redisPid: await localRedisPid(control),
  };
  const changes = buildChanges(total, issues);
  const rows: Row[] = [];
  try {
    // Warm-up: both designs once on a tenth of the changes, not reported.
    const warmup = buildChanges(Math.max(500, Math.floor(total / 10)), issues);
    for (const design of ['per-change', 'per-connector'] as const) await runDesign(bench, design, warmup, 0);
    for (let round = 1; round <= rounds; round++) {
      const order: Design[] =
        round % 2 === 1 ? ['per-change', 'per-connector'] : ['per-connector', 'per-change'];
      for (const design of order) {
        console.error(`job granularity: ${design}, round ${round} ...`);
        rows.push(await runDesign(bench, design, changes, round));
      }
    }
  } finally {
    control.disconnect();
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.disconnect();
  }
  report(rows, total, issues);
}

function report(rows: readonly Row[], total: number, issues: number): void {
  const cpus = os.cpus();
  const mean = (design: Design) => {
    const mine = rows.filter((r) => r.design === design);
    return mine.reduce((sum, r) => sum + r.changesPerSecond, 0) / Math.max(1, mine.length);
  };
  const perChange = mean('per-change');
  const perConnector = mean('per-connector');
  const markdown = [
    '# Job granularity: one BullMQ job per change, or one per connector',
    '',
    `${new Date().toISOString()}, Node ${process.version}, ${cpus.length} x ${cpus[0]?.model ?? 'cpu'}; Redis and the broker on this machine.`,
    `${total} issue changes over ${issues} issues, each giving one CRM and one monitoring event; worker concurrency`,
    `${settings.concurrency}, job options and Kafka publisher as the relay's defaults. Changes/s: from the first enqueue`,
    `(batches of ${CHUNK} changes, concurrent with the worker) to the last job completed, i.e. every event acked by Kafka.`,
    'Redis CPU and commands: server-wide, less the background load of other clients measured for 1 s just before;',
    'commands include those that Lua scripts run.',
    '',
    table(rows),
    '',
    `Mean: one job per change ${perChange.toFixed(0)} changes/s, one job per connector ${perConnector.toFixed(0)} changes/s` +
      ` (${(perChange / Math.max(1, perConnector)).toFixed(2)}x).`,
  ].join('\n');
  const dir = path.join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'job-granularity.md'), `${markdown}\n`);
  writeFileSync(
    path.join(dir, 'job-granularity.json'),
    `${JSON.stringify({ changes: total, issues, settings, rows }, null, 2)}\n`,
  );
  console.log(markdown);
}

await main(
  Number(process.argv[2] ?? 20_000),
  Number(process.argv[3] ?? 400),
  Number(process.env.BENCH_GRANULARITY_ROUNDS ?? 1),
);

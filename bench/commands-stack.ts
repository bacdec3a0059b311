import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { consentThroughSimulator } from '../test/helpers/consent.ts';
import { deleteKeysAt } from '../test/helpers/redis-keys.ts';
import { type RelayProcess, startRelay } from '../test/helpers/relay-process.ts';
import { type BenchTopics, CommandsReader } from './commands-reader.ts';
import { type SimChild, type SimSettings, startSimChild } from './commands-sim.ts';

const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',');
const unique = (what: string) => `bench-cmd-${what}-${randomBytes(3).toString('hex')}`;

/** An issue the backfill published, as the load picks it: where it is and its status now. */
export interface BenchIssue {
  readonly host: string;
  readonly id: string;
  readonly key: string;
  readonly status: string;
}

/**
 * What the relay gets besides its services: the bench's own rate cap and points budget (the
 * simulator's quota is lifted too; points per command are reported instead), and whatever tunable
 * the caller set (`COMMAND_CONCURRENCY=16 node bench/commands.ts`).
 */
export function benchRelayTunables(): Record<string, string> {
  return {
    JIRA_SITE_MAX_RPS: '1000',
    JIRA_POINTS_PER_HOUR: '1000000000',
    ...Object.fromEntries(
      Object.entries(process.env).filter(
        (e): e is [string, string] =>
          /^(SYNC|JIRA|WORKER|COMMAND|ECHO|KAFKA_LINGER)_|^KAFKA_TOPIC_PARTITIONS$/.test(e[0]) &&
          e[1] !== undefined,
      ),
    ),
  };
}

/** Both connectors, unfiltered; the CRM one with the status mapping `crm.ticket.update` reverses. */
function connectorsFile(topics: BenchTopics): string {
  const file = path.join(tmpdir(), `${unique('connectors')}.yaml`);
  writeFileSync(
    file,
    [
      'connectors:',
      '  crm:',
      '    enabled: true',
      `    topic: ${topics.crm}`,
      '    statuses:',
      '      open: [To Do]',
      '      in_progress: [In Progress, In Review]',
      '      closed: [Done]',
      '  monitoring:',
      '    enabled: true',
      `    topic: ${topics.monitoring}`,
      '',
    ].join('\n'),
  );
  return file;
}

/**
 * The simulator (child process), a reader of every topic the relay writes, the relay as a user runs
 * it (`node src/main.ts`, ROLE=all) on topics and a QUEUE_PREFIX of its own, both sites connected by
 * consent, and a producer of commands. Resolves once the consent's backfill is on Kafka: its
 * tickets name every issue and its status, so the load needs no Jira call of its own.
 */
export async function startCommandsStack(sim: SimSettings, tunables: Record<string, string>) {
  const topics: BenchTopics = {
    commands: unique('commands'),
    results: unique('results'),
    crm: unique('crm'),
    monitoring: unique('monitoring'),
    dlq: unique('dlq'),
  };
  const kafka = new Kafka({ clientId: 'bench-commands', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  // What is started is stopped in reverse order, also when a later start fails.
  const undo: (() => Promise<unknown>)[] = [
    () => admin.disconnect(),
    () => admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined),
  ];
  const stop = async () => {
    for (const step of undo.reverse()) await step().catch((err) => console.error('bench cleanup:', err));
  };
  try {
    await admin.createTopics({
      topics: Object.values(topics).map((topic) => ({
        topic,
        numPartitions: Number(tunables.KAFKA_TOPIC_PARTITIONS ?? 6),
      })),
      waitForLeaders: true,
    });
    const child: SimChild = await startSimChild(sim);
    undo.push(() => child.stop());
    const reader = await CommandsReader.start(brokers, topics);
    undo.push(() => reader.stop());
    const prefix = unique('relay');
    const connectors = connectorsFile(topics);
    undo.push(async () => {
      await deleteKeysAt(redisUrl, prefix);
      rmSync(connectors, { force: true });
    });
    const relay: RelayProcess = await startRelay({
      REDIS_URL: redisUrl,
      KAFKA_BROKERS: brokers.join(','),
      ATLASSIAN_AUTH_URL: child.info.url,
      ATLASSIAN_API_URL: child.info.url,
      ATLASSIAN_CLIENT_ID: child.info.clientId,
      ATLASSIAN_CLIENT_SECRET: child.info.clientSecret,
      QUEUE_PREFIX: prefix,
      CONNECTORS_CONFIG: connectors,
      KAFKA_DLQ_TOPIC: topics.dlq,
      KAFKA_COMMANDS_TOPIC: topics.commands,
      KAFKA_COMMAND_RESULTS_TOPIC: topics.results,
      KAFKA_COMMANDS_GROUP: unique('commands-group'),
      ...tunables,
    });
    undo.push(() => relay.stop());
    const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    undo.push(() => producer.disconnect());
    const consent = await consentThroughSimulator(relay.url);
    if (consent.status !== 200) throw new Error(`consent answered ${consent.status}`);
    const issues = await backfilledIssues(reader, sim.sites * sim.issuesPerSite);
    return { sim: child, relay, reader, topics, producer, issues, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export type CommandsStack = Awaited<ReturnType<typeof startCommandsStack>>;

/** Waits for a CRM ticket of every issue, then for both topics to be quiet for 2 s. */
async function backfilledIssues(reader: CommandsReader, total: number): Promise<BenchIssue[]> {
  const deadline = Date.now() + 180_000;
  const tickets = () => reader.events.filter((e) => e.connector === 'crm' && e.status !== undefined);
  while (new Set(tickets().map((e) => e.key)).size < total) {
    if (Date.now() > deadline) throw new Error(`backfill: ${tickets().length} of ${total} tickets read`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await quiet(reader, 2000, 60_000);
  const byKey = new Map<string, BenchIssue>();
  for (const e of tickets()) {
    const [host = '', id = ''] = e.key.split(':');
    byKey.set(e.key, { host, id, key: e.subject, status: e.status ?? '' });
  }
  return [...byKey.values()];
}

/** Waits until no connector event arrived for `quietMs` (or `maxMs` passed). */
export async function quiet(reader: CommandsReader, quietMs: number, maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  let seen = reader.events.length;
  let since = Date.now();
  while (Date.now() - since < quietMs && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    if (reader.events.length !== seen) {
      seen = reader.events.length;
      since = Date.now();
    }
  }
}

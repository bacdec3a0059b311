/**
 * An example consumer of the relay's events: reads both topics, drops repeats by `ce_id`, applies
 * each ticket, note, incident and annotation only when its version is newer than the one applied,
 * and prints every change to the model on one line. `node examples/consumer.ts --help` lists the
 * options; examples/README.md says how to run it next to `npm run demo`.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { type EachMessagePayload, Kafka, logLevel } from 'kafkajs';
import { decode } from './consumer/decode.ts';
import { changeLine, InMemoryModel, type ModelSink } from './consumer/model.ts';
import { RecentIds } from './consumer/recent-ids.ts';
import { VersionBook } from './consumer/versions.ts';

export interface ConsumerOptions {
  readonly brokers: readonly string[];
  readonly topics: readonly string[];
  readonly groupId: string;
  readonly sink: ModelSink;
  /** Where a group without committed offsets starts; default false (only what comes next). */
  readonly fromBeginning?: boolean;
  /** How many recent `ce_id`s to remember (recent-ids.ts says why a bound is safe); default 10,000. */
  readonly recentIds?: number;
  /** Skipped messages and client errors, one line each; default: nowhere. */
  readonly log?: (line: string) => void;
}

export interface ConsumerStats {
  applied: number;
  /** Dropped by `ce_id`. */
  duplicates: number;
  /** Not newer than the version applied (or after a deletion). */
  stale: number;
  /** Not a CloudEvent of ours: not JSON, no `ce_*` headers, an unknown type. */
  bad: number;
}

export interface RunningConsumer {
  readonly stats: Readonly<ConsumerStats>;
  stop(): Promise<void>;
}

export async function startConsumer(options: ConsumerOptions): Promise<RunningConsumer> {
  const log = options.log ?? (() => {});
  const kafka = new Kafka({
    clientId: 'jira-relay-example-consumer',
    brokers: [...options.brokers],
    logLevel: logLevel.ERROR,
    logCreator: () => (entry) => log(`kafka: ${entry.log.message}`),
  });
  const consumer = kafka.consumer({ groupId: options.groupId });
  const stats: ConsumerStats = { applied: 0, duplicates: 0, stale: 0, bad: 0 };
  const recent = new RecentIds(options.recentIds ?? 10_000);
  const versions = new VersionBook();

  // One message at a time (kafkajs' default, partitionsConsumedConcurrently 1), so a check and the
  // apply that follows it cannot interleave with another message of the same issue.
  async function handle({ topic, partition, message }: EachMessagePayload): Promise<void> {
    const decoded = decode(message);
    if (!decoded.ok) {
      // A message no retry can fix: log it and move on, never stop the partition for it.
      stats.bad++;
      log(`skipped ${topic}/${partition}@${message.offset}: ${decoded.reason}`);
      return;
    }
    const { change } = decoded;
    if (recent.has(change.id)) {
      stats.duplicates++;
      log(`dropped repeat ${change.id} (${change.subject})`);
      return;
    }
    const verdict = versions.check(change);
    if (!verdict.newer) {
      stats.stale++;
      recent.add(change.id);
      log(`ignored ${change.kind} of ${change.subject} (${change.id}): ${verdict.reason}`);
      return;
    }
    // If the sink throws, nothing below runs and kafkajs delivers the message again.
    await options.sink.apply(change);
    versions.record(change);
    recent.add(change.id);
    stats.applied++;
  }

  await consumer.connect();
  await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning ?? false });
  // kafkajs' defaults commit a message's offset only after eachMessage returned (autoCommit, at the
  // end of each batch): a crash before that redelivers what was applied, and the checks above drop it.
  await consumer.run({ eachMessage: handle });

  let stopping: Promise<void> | undefined;
  return {
    stats,
    // disconnect() lets the message in hand finish and commits what was applied before leaving.
    stop: () => (stopping ??= consumer.disconnect()),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      brokers: { type: 'string' },
      topics: { type: 'string' },
      group: { type: 'string' },
      'from-beginning': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(
      'node examples/consumer.ts [--brokers host:port,...] [--topics a,b] [--group id] [--from-beginning]\n' +
        'env: KAFKA_BROKERS, CONSUMER_TOPICS, CONSUMER_GROUP, FROM_BEGINNING=true\n',
    );
    return;
  }
  const list = (value: string) =>
    value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const env = process.env;
  const topics = list(values.topics ?? env.CONSUMER_TOPICS ?? 'jira.crm.events,jira.monitoring.events');
  // The model lives in memory, so by default its offsets must not outlive it: a new group per start.
  const groupId =
    values.group ?? env.CONSUMER_GROUP ?? `jira-relay-example-${randomBytes(4).toString('hex')}`;
  const model = new InMemoryModel();
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const consumer = await startConsumer({
    brokers: list(values.brokers ?? env.KAFKA_BROKERS ?? '127.0.0.1:9092'),
    topics,
    groupId,
    fromBeginning: values['from-beginning'] ?? env.FROM_BEGINNING === 'true',
    sink: {
      apply(change) {
        model.apply(change);
        print(changeLine(change));
      },
    },
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stderr.write(`reading ${topics.join(', ')} as group ${groupId}; Ctrl-C stops\n`);
  const stop = async (signal: string) => {
    await consumer.stop();
    const { applied, duplicates, stale, bad } = consumer.stats;
    const counts = `${applied} applied, ${duplicates} repeats dropped, ${stale} stale, ${bad} bad`;
    process.stderr.write(
      `${signal}: stopped; ${counts}; ${model.tickets.size} tickets, ${model.incidents.size} incidents\n`,
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop(signal));
}

/** kafkajs 2.2.4 schedules a timer with a negative delay on Node 24: a known, harmless warning. */
function hideKafkajsTimeoutWarning(): void {
  const printers = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    const known = warning.name === 'TimeoutNegativeWarning' && /kafkajs/.test(warning.stack ?? '');
    if (!known) for (const print of printers) print.call(process, warning);
  });
}

if (import.meta.main) {
  hideKafkajsTimeoutWarning();
  main().catch((err: unknown) => {
    process.stderr.write(`consumer: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}

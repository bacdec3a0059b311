import type { Kafka } from 'kafkajs';
import type { Logger } from '../logger.ts';

export interface TopicSettings {
  /** KAFKA_TOPIC_PARTITIONS */
  readonly partitions: number;
  /** KAFKA_REPLICATION_FACTOR */
  readonly replicationFactor: number;
  /** KAFKA_MIN_INSYNC_REPLICAS: set on topics the relay creates; unset, the broker's default. */
  readonly minInsyncReplicas?: number;
}

/**
 * Creates the topics the relay publishes to, at start-up; topics that exist are left as they are
 * (running it again, or from several processes at once, is harmless). A topic with fewer
 * partitions than configured is reported, not changed: adding partitions would move issues to
 * other partitions and break their order. Partitions with fewer in-sync replicas than replicas
 * (a broker down or behind) are reported too: acks=all then waits on fewer copies.
 */
export async function ensureTopics(
  kafka: Kafka,
  topics: readonly string[],
  settings: TopicSettings,
  log: Logger,
): Promise<{ created: string[] }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = [...new Set(topics)].filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await createIgnoringRaces(admin, missing, settings);
      log.info({ topics: missing, ...settings }, 'kafka topics created');
    }
    const present = [...new Set(topics)].filter((t) => existing.has(t));
    if (present.length > 0) await reportPartitions(admin, present, settings, log);
    return { created: missing };
  } finally {
    await admin.disconnect();
  }
}

type Admin = ReturnType<Kafka['admin']>;

async function createIgnoringRaces(admin: Admin, topics: string[], s: TopicSettings) {
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((topic) => ({
        topic,
        numPartitions: s.partitions,
        replicationFactor: s.replicationFactor,
        ...(s.minInsyncReplicas === undefined
          ? {}
          : { configEntries: [{ name: 'min.insync.replicas', value: String(s.minInsyncReplicas) }] }),
      })),
    });
  } catch (err) {
    // Another process created them between our list and create: fine, as long as they exist now.
    const now = new Set(await admin.listTopics());
    if (!topics.every((t) => now.has(t))) throw err;
  }
}

/**
 * Reports topics with fewer partitions than configured, or under-replicated. A topic another
 * process created a moment ago may be listed before every broker knows it (kafkajs then throws
 * UNKNOWN_TOPIC_OR_PARTITION): that is retried a few times, and a report that still cannot be read
 * is logged and skipped, since it must not stop a process from starting.
 */
async function reportPartitions(admin: Admin, topics: string[], s: TopicSettings, log: Logger) {
  for (let attempt = 1; ; attempt++) {
    try {
      return checkPartitions(await admin.fetchTopicMetadata({ topics }), s, log);
    } catch (err) {
      if (attempt >= 5) {
        log.warn({ err, topics }, 'topic metadata unreadable: partitions and replication not checked');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}

function checkPartitions(
  { topics: meta }: Awaited<ReturnType<Admin['fetchTopicMetadata']>>,
  s: TopicSettings,
  log: Logger,
): void {
  for (const { name, partitions } of meta) {
    if (partitions.length < s.partitions) {
      log.warn(
        { topic: name, partitions: partitions.length, configured: s.partitions },
        'topic has fewer partitions than configured',
      );
    }
    const under = partitions.filter((p) => p.isr.length < p.replicas.length).map((p) => p.partitionId);
    if (under.length > 0) log.warn({ topic: name, partitions: under }, 'topic is under-replicated');
  }
}

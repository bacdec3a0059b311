import { Queue } from 'bullmq';
import { onTestFinished } from 'vitest';
import { parseConnectorsConfig } from '../../../connectors/config/parse-connectors-config.ts';
import { enabledConnectors } from '../../../connectors/registry.ts';
import { RedisDeadLetterOutbox } from '../../../src/kafka/dead-letter-outbox.ts';
import { DurableDeadLetterPublisher } from '../../../src/kafka/durable-dead-letter-publisher.ts';
import type { DeadLetter, EventPublisher } from '../../../src/kafka/event-publisher.ts';
import { createLogger } from '../../../src/logger.ts';
import { createMetrics } from '../../../src/metrics/registry.ts';
import { MappingProvider } from '../../../src/pipeline/mapping-provider.ts';
import { BullChangeQueue, type ChangeJob } from '../../../src/queues/change-queue.ts';
import { queueNames } from '../../../src/queues/queue-names.ts';
import { RedisEntityState } from '../../../src/state/entity-state.ts';
import { RedisPublishedVersions } from '../../../src/state/published-versions.ts';
import { startChangesWorker } from '../../../workers/changes-worker.ts';
import { deadLetterOnFinalFailure } from '../../../workers/dead-letter-on-failure.ts';
import { issueChange, issueSnapshot } from '../../helpers/changes.ts';
import { deleteKeysWithPrefix } from '../../helpers/redis-keys.ts';
import { bullPrefixOf, testRedis, uniqueName } from '../../helpers/services.ts';

const log = createLogger({ level: 'silent' });
const baseVersion = Date.parse('2024-03-01T10:00:00Z');
const issueIds = ['71001', '71002', '71003', '71004'];

/**
 * The change queue as the relay runs it (its real worker, the CRM connector, published-version
 * claims, durable dead letters) over a given publisher, for four issues whose versions 0, 1, 2...
 * are queued a second apart.
 */
export async function startOutagePipeline(opts: {
  publisher: EventPublisher;
  topic: string;
  attempts: number;
  publishTimeoutMs: number;
}) {
  const redis = testRedis();
  const prefix = uniqueName('outage');
  const parsed = parseConnectorsConfig(`connectors:\n  crm: { enabled: true, topic: ${opts.topic} }\n`);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  const connectors = enabledConnectors(parsed.config);
  const outbox = new RedisDeadLetterOutbox(redis, { prefix, maxPending: 100 });
  const deadLetters = new DurableDeadLetterPublisher({
    inner: opts.publisher,
    outbox,
    publishTimeoutMs: opts.publishTimeoutMs,
    log,
  });
  const queue = new Queue<ChangeJob>(queueNames.changes, {
    connection: testRedis(),
    prefix: bullPrefixOf(prefix),
    defaultJobOptions: { attempts: opts.attempts, backoff: { type: 'exponential', delay: 200 } },
  });
  const worker = startChangesWorker(
    { connection: testRedis(), prefix: bullPrefixOf(prefix), concurrency: 8 },
    {
      entities: new RedisEntityState(redis, prefix),
      mappings: new MappingProvider({ connectors, fields: async () => undefined, ttlMs: 60_000, log }),
      published: new RedisPublishedVersions(redis, { prefix, claimTtlMs: 3000, markerTtlSeconds: 3600 }),
      publisher: deadLetters,
      log,
      metrics: createMetrics(),
      now: () => new Date('2024-03-01T12:00:00Z'),
    },
  );
  deadLetterOnFinalFailure(worker, deadLetters, log);
  const changes = new BullChangeQueue(queue);
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
      await deleteKeysWithPrefix(redis, prefix);
    })();
    return closed;
  };
  onTestFinished(close);
  return {
    queue,
    outbox,
    deadLetters,
    issueIds,
    /** Queues versions `from` .. `from + count - 1` of every issue, oldest first. */
    async enqueueVersions(from: number, count: number): Promise<void> {
      for (let v = from; v < from + count; v++) {
        await changes.enqueue(
          issueIds.map((id) =>
            issueChange({ issue: issueSnapshot({ id }), version: baseVersion + v * 1000 }),
          ),
        );
      }
    },
    version: (n: number) => baseVersion + n * 1000,
    counts: () => queue.getJobCounts('completed', 'failed', 'delayed', 'active', 'waiting'),
    /** The distinct attemptsMade of the completed jobs. */
    async attemptsMade(): Promise<number[]> {
      const jobs = await queue.getJobs(['completed']);
      return [...new Set(jobs.map((job) => job.attemptsMade))].sort();
    },
    letter: (): DeadLetter => ({
      queue: 'outage-test',
      jobId: 'job-1',
      input: { during: 'outage' },
      error: { code: 'MAPPING_FAILED', message: 'mapping threw', retryable: false },
      attempts: 1,
      failedAt: Date.now(),
    }),
    close,
  };
}

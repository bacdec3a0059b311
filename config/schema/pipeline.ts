import { z } from 'zod';
import { integer } from './env-types.ts';
import { envVar } from './env-var.ts';

export const pipelineVars = {
  QUEUE_PREFIX: envVar(
    z
      .string()
      .regex(/^[A-Za-z0-9:{}_-]+$/, 'letters, digits, `:_-{}`')
      .default('jira-relay'),
    'Prefix of every Redis key of the relay. With `REDIS_CLUSTER_NODES` the queues take it as a hash tag (`{jira-relay}`) by themselves; leave it plain.',
  ),
  WORKER_CONCURRENCY: envVar(integer(1).default(50), 'Concurrent jobs per queue worker.'),
  JOB_ATTEMPTS: envVar(integer(1).default(8), 'Attempts before a job is dead-lettered.'),
  JOB_BACKOFF_MS: envVar(integer(1).default(1000), 'First retry delay (exponential).'),
  JOB_FAILED_RETENTION: envVar(integer(1).default(10_000), 'Failed jobs kept visible per queue.'),
  JOB_COMPLETED_RETENTION: envVar(integer(0).default(1000), 'Completed jobs kept per queue.'),
  KAFKA_CLIENT_ID: envVar(z.string().min(1).default('jira-relay'), 'Kafka client id.'),
  KAFKA_TOPIC_PARTITIONS: envVar(integer(1).default(6), 'Partitions of topics created at start-up.'),
  KAFKA_REPLICATION_FACTOR: envVar(
    integer(1).default(1),
    'Replication factor of topics created at start-up.',
  ),
  KAFKA_MIN_INSYNC_REPLICAS: envVar(
    integer(1).optional(),
    '`min.insync.replicas` of topics created at start-up (with acks=all, how many copies a publish waits for); unset, the broker default.',
  ),
  KAFKA_LINGER_MS: envVar(integer(0).default(5), 'How long the publisher gathers messages into one batch.'),
  KAFKA_DLQ_TOPIC: envVar(z.string().min(1).default('jira.relay.dlq'), 'Dead-letter topic.'),
  KAFKA_BATCH_MAX_MESSAGES: envVar(
    integer(1).default(1000),
    'Most messages the publisher sends in one produce request; the rest wait for the next.',
  ),
  KAFKA_RETRY_MAX_DELAY_MS: envVar(
    integer(1).default(5000),
    'Longest pause between retries of a produce while the broker is away (retries never stop).',
  ),
  KAFKA_PUBLISH_TIMEOUT_MS: envVar(
    integer(1).default(10_000),
    'How long a publish may wait to be sent before it is withdrawn and its job retried; a produce request unanswered this long refuses new publishes until it is.',
  ),
  KAFKA_PUBLISH_MAX_PENDING: envVar(
    integer(1).default(10_000),
    'Most messages the publisher holds in memory (waiting or in flight); further publishes are refused and retried later.',
  ),
  DEAD_LETTER_MAX_PENDING: envVar(
    integer(1).default(10_000),
    'Most dead letters kept in Redis until Kafka acknowledges them; past it the oldest are dropped (their failed jobs stay visible).',
  ),
  DEAD_LETTER_RESEND_INTERVAL_SECONDS: envVar(
    integer(1).default(60),
    'How often maintenance re-sends dead letters Kafka has not acknowledged yet.',
  ),
  PUBLISH_CLAIM_TTL_MS: envVar(
    integer(1).default(60_000),
    'How long a worker holds an entity version while publishing it; then another may retry it.',
  ),
  PUBLISHED_VERSION_TTL_SECONDS: envVar(
    integer(60).default(30 * 24 * 3600),
    'How long published-version markers are kept after their last write (per connector and entity).',
  ),
} as const;

import { z } from 'zod';
import { integer } from './env-types.ts';
import { envVar } from './env-var.ts';

export const pipelineVars = {
  QUEUE_PREFIX: envVar(
    z
      .string()
      .regex(/^[A-Za-z0-9:{}_-]+$/, 'letters, digits, `:_-{}`')
      .default('jira-relay'),
    'BullMQ key prefix; wrap in `{}` for Redis Cluster hash tags.',
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
  KAFKA_LINGER_MS: envVar(integer(0).default(5), 'How long the publisher gathers messages into one batch.'),
  KAFKA_DLQ_TOPIC: envVar(z.string().min(1).default('jira.relay.dlq'), 'Dead-letter topic.'),
} as const;

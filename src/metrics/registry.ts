import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { commandFamilies } from './command-metrics.ts';
import { filterFamilies } from './filter-metrics.ts';
import { type SyncStateSource, syncFamilies } from './sync-families.ts';

const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface MetricsOptions {
  /** Read when /metrics is scraped (at most once a second); without it the sync families stay empty. */
  readonly syncState?: SyncStateSource;
}

/**
 * Every metric family of a process in one registry (served at /metrics). Components receive the
 * metrics they update; nothing registers into prom-client's global registry, so tests can build
 * as many as they like.
 */
export function createMetrics(opts: MetricsOptions = {}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    ...syncFamilies(registers, opts.syncState),
    ...commandFamilies(registers),
    ...filterFamilies(registers),
    webhooksReceived: new Counter({
      name: 'jira_relay_webhooks_received_total',
      help: 'Webhook deliveries accepted, by event and outcome (queued, duplicate, ignored, unroutable, paused).',
      labelNames: ['event', 'outcome'] as const,
      registers,
    }),
    webhooksRejected: new Counter({
      name: 'jira_relay_webhooks_rejected_total',
      help: 'Webhook deliveries refused, by reason (auth failures, malformed bodies, too large, queue unavailable).',
      labelNames: ['reason'] as const,
      registers,
    }),
    webhooksDeduplicated: new Counter({
      name: 'jira_relay_webhooks_deduplicated_total',
      help: 'Repeated webhook deliveries, each counted once where it was caught: intake (answered 200), or worker (dropped there, intake could not tell).',
      labelNames: ['stage'] as const,
      registers,
    }),
    webhooksUnroutable: new Counter({
      name: 'jira_relay_webhooks_unroutable_total',
      help: 'JWT-authenticated deliveries for a site without a connection, acknowledged and dropped.',
      registers,
    }),
    webhookIntakeSeconds: new Histogram({
      name: 'jira_relay_webhook_intake_seconds',
      help: 'Time from request to acknowledgement of a webhook delivery.',
      buckets: latencyBuckets,
      registers,
    }),
    queueJobs: new Gauge({
      name: 'jira_relay_queue_jobs',
      help: 'Jobs per queue and state (waiting, active, delayed, failed, ...), read when scraped.',
      labelNames: ['queue', 'state'] as const,
      registers,
    }),
    jobDurationSeconds: new Histogram({
      name: 'jira_relay_job_duration_seconds',
      help: 'Processing time of jobs, by queue and outcome.',
      labelNames: ['queue', 'outcome'] as const,
      buckets: latencyBuckets,
      registers,
    }),
    kafkaPublishSeconds: new Histogram({
      name: 'jira_relay_kafka_publish_seconds',
      help: 'Time from publish to the broker acknowledging (acks=all), by kind (events, dead_letter).',
      labelNames: ['kind'] as const,
      buckets: latencyBuckets,
      registers,
    }),
    kafkaPublishFailures: new Counter({
      name: 'jira_relay_kafka_publish_failures_total',
      help: 'Publishes that failed, by kind.',
      labelNames: ['kind'] as const,
      registers,
    }),
    kafkaPublishRefused: new Counter({
      name: 'jira_relay_kafka_publish_refused_total',
      help: 'Publishes the bounded publisher refused or withdrew (timeout, full, unavailable, unreachable, closed); their jobs retry.',
      labelNames: ['kind', 'reason'] as const,
      registers,
    }),
    jiraRequests: new Counter({
      name: 'jira_relay_jira_requests_total',
      help: 'Jira REST calls, by route class, HTTP status (0: no response) and RateLimit-Reason.',
      labelNames: ['route', 'status', 'reason'] as const,
      registers,
    }),
    tokenRefreshes: new Counter({
      name: 'jira_relay_token_refreshes_total',
      help: 'Access-token refreshes, by outcome (refreshed, reauth_required, unknown_outcome, failed).',
      labelNames: ['outcome'] as const,
      registers,
    }),
    changesProcessed: new Counter({
      name: 'jira_relay_changes_total',
      help: 'Changes through the pipeline, by source and outcome (processed, stale).',
      labelNames: ['source', 'outcome'] as const,
      registers,
    }),
    eventsPublished: new Counter({
      name: 'jira_relay_events_published_total',
      help: 'CloudEvents published, by connector.',
      labelNames: ['connector'] as const,
      registers,
    }),
    endToEndLagSeconds: new Histogram({
      name: 'jira_relay_end_to_end_lag_seconds',
      help: "From the change's updated in Jira to its events being acknowledged by Kafka, by source.",
      labelNames: ['source'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { commandFamilies } from './command-metrics.ts';

const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Background sync and the Jira budget as they stand in Redis (shared by every process), for a scrape. */
export interface SyncMetricsSnapshot {
  /** One entry per budget pool (`app`, or each site under JIRA_RATE_POOL=site). */
  readonly budget: readonly {
    readonly pool: string;
    readonly limit: number;
    readonly spent: number;
    readonly quotaBlockedSeconds: number;
    readonly activeSites: number;
  }[];
  /** Per site host. */
  readonly pointsThisWindow: Readonly<Record<string, number>>;
  readonly pointsTotal: Readonly<Record<string, number>>;
  readonly pollOnlyShare: Readonly<Record<string, number>>;
  /** Share of recent changes a webhook delivered, first or after polling: 1 - pollOnlyShare. */
  readonly webhookCoverage: Readonly<Record<string, number>>;
  readonly pollLagSeconds: Readonly<Record<string, number>>;
  readonly pollIntervalSeconds: Readonly<Record<string, number>>;
}

export interface MetricsOptions {
  /** Read when /metrics is scraped (at most once a second); without it the sync families stay empty. */
  readonly syncState?: () => Promise<SyncMetricsSnapshot>;
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

/** Gauges read from Redis at scrape time: any process serving /metrics shows the whole fleet's sync state. */
function syncFamilies(registers: Registry[], source: MetricsOptions['syncState']) {
  let cached: { at: number; value: Promise<SyncMetricsSnapshot> } | undefined;
  const snapshot = () => {
    if (!source) return undefined;
    if (!cached || Date.now() - cached.at > 1000) cached = { at: Date.now(), value: source() };
    return cached.value;
  };
  const perSite = (
    name: string,
    help: string,
    pick: (s: SyncMetricsSnapshot) => Readonly<Record<string, number>>,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: ['site'] as const,
      registers,
      async collect() {
        const state = await snapshot();
        if (!state) return;
        this.reset();
        for (const [site, value] of Object.entries(pick(state))) this.set({ site }, value);
      },
    });
  return {
    jiraBudgetPoints: new Gauge({
      name: 'jira_relay_jira_budget_points',
      help: 'Jira points budget of the current window per pool: limit, spent and remaining.',
      labelNames: ['pool', 'state'] as const,
      registers,
      async collect() {
        const state = await snapshot();
        if (!state) return;
        this.reset();
        for (const b of state.budget) {
          this.set({ pool: b.pool, state: 'limit' }, b.limit);
          this.set({ pool: b.pool, state: 'spent' }, b.spent);
          this.set({ pool: b.pool, state: 'remaining' }, Math.max(0, b.limit - b.spent));
        }
      },
    }),
    jiraBudgetQuotaBlocked: new Gauge({
      name: 'jira_relay_jira_budget_quota_blocked_seconds',
      help: 'Seconds until a quota 429 pause lifts (0: calls may go), per pool.',
      labelNames: ['pool'] as const,
      registers,
      async collect() {
        const state = await snapshot();
        if (!state) return;
        this.reset();
        for (const b of state.budget) this.set({ pool: b.pool }, b.quotaBlockedSeconds);
      },
    }),
    jiraBudgetActiveSites: new Gauge({
      name: 'jira_relay_jira_budget_active_sites',
      help: 'Sites with sync work sharing the window (max-min fair shares), per pool.',
      labelNames: ['pool'] as const,
      registers,
      async collect() {
        const state = await snapshot();
        if (!state) return;
        this.reset();
        for (const b of state.budget) this.set({ pool: b.pool }, b.activeSites);
      },
    }),
    jiraPointsWindow: perSite(
      'jira_relay_jira_points_window',
      'Jira points each site spent in the current budget window.',
      (s) => s.pointsThisWindow,
    ),
    jiraPointsTotal: perSite(
      'jira_relay_jira_points_spent',
      'Jira points each site spent since the relay first called it (all windows).',
      (s) => s.pointsTotal,
    ),
    webhookPollOnlyShare: perSite(
      'jira_relay_webhook_poll_only_share',
      'Share of recent changes of a site that only polling found: expired or broken webhooks.',
      (s) => s.pollOnlyShare,
    ),
    webhookCoverage: perSite(
      'jira_relay_webhook_coverage',
      'Share (0 to 1) of recent changes of a site that a webhook delivered, before or after polling found them.',
      (s) => s.webhookCoverage,
    ),
    syncPollLag: perSite(
      'jira_relay_sync_poll_lag_seconds',
      'Seconds since the last completed incremental poll of a site started.',
      (s) => s.pollLagSeconds,
    ),
    syncPollInterval: perSite(
      'jira_relay_sync_poll_interval_seconds',
      'Poll (reconcile) interval the budget allows a site, as last planned.',
      (s) => s.pollIntervalSeconds,
    ),
  };
}

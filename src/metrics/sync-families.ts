import { Gauge, type Registry } from 'prom-client';

/**
 * Background sync, the Jira budget and the connections as they stand in Redis (shared by every
 * process), for a scrape.
 */
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
  /**
   * Per site host: mean seconds by which a webhook trailed the poll that had already found the same
   * change, over the recent coverage buckets; absent while no webhook came second there.
   */
  readonly webhookLatenessSeconds: Readonly<Record<string, number>>;
  readonly pollLagSeconds: Readonly<Record<string, number>>;
  readonly pollIntervalSeconds: Readonly<Record<string, number>>;
  /** Connections per status, every status present (0 when none has it). */
  readonly connectionsByStatus: Readonly<Record<string, number>>;
  /** Per site host of a connection not disconnected: its status. */
  readonly connectionStatusBySite: Readonly<Record<string, string>>;
}

/** Reads the snapshot; called when /metrics is scraped (at most once a second). */
export type SyncStateSource = () => Promise<SyncMetricsSnapshot>;

/** One record of the snapshot: label value to gauge value. */
type RecordOf = (s: SyncMetricsSnapshot) => Readonly<Record<string, number>>;

/** Gauges read from Redis at scrape time: any process serving /metrics shows the whole fleet's sync state. */
export function syncFamilies(registers: Registry[], source: SyncStateSource | undefined) {
  let cached: { at: number; value: Promise<SyncMetricsSnapshot> } | undefined;
  const snapshot = () => {
    if (!source) return undefined;
    if (!cached || Date.now() - cached.at > 1000) cached = { at: Date.now(), value: source() };
    return cached.value;
  };
  /** A gauge with one label whose values are a record of the snapshot, replaced on every scrape. */
  const byLabel = <L extends string>(label: L, name: string, help: string, pick: RecordOf) =>
    new Gauge<L>({
      name,
      help,
      labelNames: [label],
      registers,
      async collect() {
        const state = await snapshot();
        if (!state) return;
        this.reset();
        for (const [key, value] of Object.entries(pick(state)))
          this.set({ [label]: key } as Record<L, string>, value);
      },
    });
  const perSite = (name: string, help: string, pick: RecordOf) => byLabel('site', name, help, pick);
  return {
    ...budgetFamilies(registers, snapshot),
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
    webhookLateness: perSite(
      'jira_relay_webhook_lateness_seconds',
      'Mean seconds by which a webhook delivery trailed the poll that had already found the same change, over the recent coverage buckets of a site (only changes polling saw first).',
      (s) => s.webhookLatenessSeconds,
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
    connections: byLabel(
      'status',
      'jira_relay_connections',
      'Connections (Jira sites) per status: active, paused, reauth_required (a user must consent again), disconnected.',
      (s) => s.connectionsByStatus,
    ),
    connectionStatus: new Gauge({
      name: 'jira_relay_connection_status',
      help: 'Status of the connection of each site (1 on its current status): alerts name the site and skip paused ones.',
      labelNames: ['site', 'status'] as const,
      registers,
      async collect() {
        const state = await snapshot();
        if (!state) return;
        this.reset();
        for (const [site, status] of Object.entries(state.connectionStatusBySite))
          this.set({ site, status }, 1);
      },
    }),
  };
}

/** The points budget per pool: limit, spent and remaining, the quota pause, the sites sharing it. */
function budgetFamilies(registers: Registry[], snapshot: () => Promise<SyncMetricsSnapshot> | undefined) {
  const perPool = (name: string, help: string, pick: (b: SyncMetricsSnapshot['budget'][number]) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['pool'] as const,
      registers,
      async collect() {
        const state = await snapshot();
        if (!state) return;
        this.reset();
        for (const b of state.budget) this.set({ pool: b.pool }, pick(b));
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
    jiraBudgetQuotaBlocked: perPool(
      'jira_relay_jira_budget_quota_blocked_seconds',
      'Seconds until a quota 429 pause lifts (0: calls may go), per pool.',
      (b) => b.quotaBlockedSeconds,
    ),
    jiraBudgetActiveSites: perPool(
      'jira_relay_jira_budget_active_sites',
      'Sites with sync work sharing the window (max-min fair shares), per pool.',
      (b) => b.activeSites,
    ),
  };
}

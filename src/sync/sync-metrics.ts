import type { RedisJiraBudget } from '../atlassian/budget/redis-jira-budget.ts';
import { type Connection, connectionStatuses } from '../connections/connection.ts';
import type { ConnectionStore } from '../connections/connection-store.ts';
import type { SyncMetricsSnapshot } from '../metrics/sync-families.ts';
import type { RedisWebhookCoverage } from '../state/coverage.ts';
import type { RedisSyncCursors } from '../state/cursors.ts';

/**
 * The sync families' values, read from Redis: the budget pool(s), points per site, the webhook
 * coverage, poll-only share and webhook lateness of each site's changes, each connection's poll lag,
 * planned interval and status, and the count of connections per status. The two shares split the
 * same changes: a webhook delivered it (whether or not a poll found it first), or so far only
 * polling found it.
 */
export async function readSyncMetrics(deps: {
  budget: RedisJiraBudget;
  pool: 'app' | 'site';
  connections: Pick<ConnectionStore, 'list'>;
  cursors: RedisSyncCursors;
  coverage: Pick<RedisWebhookCoverage, 'share'>;
  now: () => number;
}): Promise<SyncMetricsSnapshot> {
  const all = await deps.connections.list();
  const connections = all.filter((c) => c.status !== 'disconnected');
  const pools = deps.pool === 'app' ? [undefined] : connections.map((c) => c.siteHost);
  const snapshots = await Promise.all(pools.map((site) => deps.budget.snapshot(site)));
  const pointsThisWindow: Record<string, number> = {};
  for (const snap of snapshots) Object.assign(pointsThisWindow, snap.spentBySite);
  const pollOnlyShare: Record<string, number> = {};
  const webhookCoverage: Record<string, number> = {};
  const webhookLatenessSeconds: Record<string, number> = {};
  const pollLagSeconds: Record<string, number> = {};
  const pollIntervalSeconds: Record<string, number> = {};
  await Promise.all(
    connections.map(async (c) => {
      const [poll, share] = await Promise.all([deps.cursors.poll(c.id), deps.coverage.share(c.siteHost)]);
      if (share.pollOnlyShare !== null) pollOnlyShare[c.siteHost] = share.pollOnlyShare;
      if (share.webhookCoverage !== null) webhookCoverage[c.siteHost] = share.webhookCoverage;
      if (share.meanLateMs.webhook !== null)
        webhookLatenessSeconds[c.siteHost] = share.meanLateMs.webhook / 1000;
      if (poll.polledAt !== null)
        pollLagSeconds[c.siteHost] = Math.max(0, (deps.now() - poll.polledAt) / 1000);
      if (poll.intervalMs !== null) pollIntervalSeconds[c.siteHost] = poll.intervalMs / 1000;
    }),
  );
  return {
    budget: snapshots.map((s) => ({
      pool: s.pool,
      limit: s.pointsPerWindow,
      spent: s.spent,
      quotaBlockedSeconds: s.quotaBlockedMs / 1000,
      activeSites: s.activeSites,
    })),
    pointsThisWindow,
    pointsTotal: await deps.budget.lifetimePoints(),
    pollOnlyShare,
    webhookCoverage,
    webhookLatenessSeconds,
    pollLagSeconds,
    pollIntervalSeconds,
    connectionsByStatus: countByStatus(all),
    connectionStatusBySite: Object.fromEntries(connections.map((c) => [c.siteHost, c.status])),
  };
}

/** Every status, with 0 for those no connection has: an alert on one needs its series to exist. */
function countByStatus(connections: readonly Connection[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(connectionStatuses.map((s) => [s, 0]));
  for (const c of connections) counts[c.status] = (counts[c.status] ?? 0) + 1;
  return counts;
}

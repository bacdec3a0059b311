import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/metrics/registry.ts';
import type { SyncMetricsSnapshot } from '../../../src/metrics/sync-families.ts';

const snapshot: SyncMetricsSnapshot = {
  budget: [{ pool: 'app', limit: 65_000, spent: 61_750, quotaBlockedSeconds: 120, activeSites: 2 }],
  pointsThisWindow: { 'late.atlassian.net': 40 },
  pointsTotal: {},
  pollOnlyShare: {},
  webhookCoverage: { 'late.atlassian.net': 0.75, 'prompt.atlassian.net': 1 },
  webhookLatenessSeconds: { 'late.atlassian.net': 2.5 },
  pollLagSeconds: {},
  pollIntervalSeconds: {},
  connectionsByStatus: { active: 2, reauth_required: 1, paused: 0, disconnected: 0 },
  connectionStatusBySite: {
    'late.atlassian.net': 'active',
    'prompt.atlassian.net': 'active',
    'revoked.atlassian.net': 'reauth_required',
  },
};

/** The sample lines of a scrape, by series (name and labels). */
async function scrape(state: SyncMetricsSnapshot): Promise<Map<string, number>> {
  const text = await createMetrics({ syncState: async () => state }).registry.metrics();
  return new Map(
    text
      .split('\n')
      .filter((line) => line.startsWith('jira_relay_'))
      .map((line) => [line.slice(0, line.lastIndexOf(' ')), Number(line.slice(line.lastIndexOf(' ') + 1))]),
  );
}

describe('sync families at scrape time', () => {
  it('exports webhook lateness per site, only for sites where a webhook came after polling', async () => {
    const series = await scrape(snapshot);
    expect(series.get('jira_relay_webhook_lateness_seconds{site="late.atlassian.net"}')).toBe(2.5);
    expect(series.has('jira_relay_webhook_lateness_seconds{site="prompt.atlassian.net"}')).toBe(false);
  });

  it('exports the connections per status, zeros included, and the status of each site', async () => {
    const series = await scrape(snapshot);
    expect(
      series.get('jira_relay_connection_status{site="revoked.atlassian.net",status="reauth_required"}'),
    ).toBe(1);
    expect(series.has('jira_relay_connection_status{site="revoked.atlassian.net",status="active"}')).toBe(
      false,
    );
    expect(series.get('jira_relay_connection_status{site="late.atlassian.net",status="active"}')).toBe(1);
    expect(series.get('jira_relay_connections{status="active"}')).toBe(2);
    expect(series.get('jira_relay_connections{status="reauth_required"}')).toBe(1);
    expect(series.get('jira_relay_connections{status="paused"}')).toBe(0);
    expect(series.get('jira_relay_connections{status="disconnected"}')).toBe(0);
  });

  it('still exports the budget per pool: limit, spent, remaining, the quota pause and the sites sharing it', async () => {
    const series = await scrape(snapshot);
    expect(series.get('jira_relay_jira_budget_points{pool="app",state="limit"}')).toBe(65_000);
    expect(series.get('jira_relay_jira_budget_points{pool="app",state="spent"}')).toBe(61_750);
    expect(series.get('jira_relay_jira_budget_points{pool="app",state="remaining"}')).toBe(3_250);
    expect(series.get('jira_relay_jira_budget_quota_blocked_seconds{pool="app"}')).toBe(120);
    expect(series.get('jira_relay_jira_budget_active_sites{pool="app"}')).toBe(2);
    expect(series.get('jira_relay_webhook_coverage{site="late.atlassian.net"}')).toBe(0.75);
  });

  it('exports no sync series without a sync state source', async () => {
    const text = await createMetrics().registry.metrics();
    expect(text).toContain('# TYPE jira_relay_webhook_lateness_seconds gauge');
    expect(text).not.toMatch(/^jira_relay_(webhook_lateness_seconds|connections|connection_status)\{/m);
  });
});

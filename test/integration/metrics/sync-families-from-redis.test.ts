import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/metrics/registry.ts';
import { issueChange, issueSnapshot } from '../../helpers/changes.ts';
import { startSyncStack } from '../sync/sync-stack.ts';

/**
 * Issue 19, "Lateness is invisible": the webhook lateness the coverage records in Redis, and the
 * connections needing reauthorization, reach /metrics when it is scraped.
 */
describe('sync families read from Redis at scrape time', () => {
  it('exports how late webhooks trailed polling per site, and the connections per status', async () => {
    const s = await startSyncStack({ sim: { sites: 2, issuesPerSite: 1 }, kafka: false });
    const [late, other] = [s.connection(0), s.connection(1)];
    const site = { host: late.siteHost, cloudId: late.cloudId };
    const now = Date.now();
    // Polling finds two changes; webhooks deliver them 2 s and 3 s later; a third only a webhook sends.
    const first = issueChange({
      site,
      issue: issueSnapshot({ id: '1' }),
      version: 1,
      source: 'poll',
      observedAt: now,
    });
    const second = issueChange({
      site,
      issue: issueSnapshot({ id: '2' }),
      version: 1,
      source: 'poll',
      observedAt: now,
    });
    await s.sync.coverage.sight('poll', [first, second]);
    await s.sync.coverage.sight('webhook', [{ ...first, source: 'webhook', observedAt: now + 2000 }]);
    await s.sync.coverage.sight('webhook', [{ ...second, source: 'webhook', observedAt: now + 3000 }]);
    await s.sync.coverage.sight('webhook', [
      issueChange({ site, issue: issueSnapshot({ id: '3' }), source: 'webhook', observedAt: now }),
    ]);
    await s.stack.services.connections.setStatus(other.id, 'reauth_required');

    const text = await createMetrics({ syncState: () => s.sync.metricsSnapshot() }).registry.metrics();
    const value = (series: string) =>
      text
        .split('\n')
        .find((line) => line.startsWith(`${series} `))
        ?.split(' ')
        .pop();
    expect(value(`jira_relay_webhook_lateness_seconds{site="${late.siteHost}"}`)).toBe('2.5');
    expect(value(`jira_relay_webhook_lateness_seconds{site="${other.siteHost}"}`)).toBeUndefined();
    expect(value(`jira_relay_webhook_coverage{site="${late.siteHost}"}`)).toBe('1');
    expect(value('jira_relay_connections{status="active"}')).toBe('1');
    expect(value('jira_relay_connections{status="reauth_required"}')).toBe('1');
    expect(value('jira_relay_connections{status="paused"}')).toBe('0');
    expect(value(`jira_relay_connection_status{site="${other.siteHost}",status="reauth_required"}`)).toBe(
      '1',
    );
    expect(value(`jira_relay_connection_status{site="${late.siteHost}",status="active"}`)).toBe('1');
  });
});

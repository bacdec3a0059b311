import { describe, expect, it } from 'vitest';
import { promqlReads } from './promql-selectors.ts';
import { relayMetricCatalog, unknownReads } from './relay-metric-catalog.ts';

describe('promqlReads', () => {
  it('finds the selectors and grouping labels, not functions, keywords, strings, ranges or offsets', () => {
    const reads = promqlReads(
      'histogram_quantile(0.95, sum by (le, source) (rate(jira_relay_end_to_end_lag_seconds_bucket{source!="poll"}[$__rate_interval])))' +
        ' > 2 * max by (site) (jira_relay_sync_poll_interval_seconds{site=~"$site"} offset 1h) and on () vector(0) or bool up',
    );
    expect(reads.selectors).toEqual([
      { metric: 'jira_relay_end_to_end_lag_seconds_bucket', matcherLabels: ['source'] },
      { metric: 'jira_relay_sync_poll_interval_seconds', matcherLabels: ['site'] },
      { metric: 'up', matcherLabels: [] },
    ]);
    expect(reads.groupingLabels).toEqual(['le', 'source', 'site']);
  });

  it('reports a misspelt metric, a label a metric lacks, and a grouping label no metric carries', async () => {
    const catalog = await relayMetricCatalog();
    const problems = (expr: string) => unknownReads(catalog, promqlReads(expr));
    expect(problems('max by (site) (jira_relay_webhook_lateness_seconds{site="a"})')).toEqual([]);
    expect(problems('sum(rate(jira_relay_commands_total{status="applied"}[5m]))')).toEqual([]);
    expect(problems('jira_relay_webhook_latenes_seconds')).toEqual([
      'unknown metric jira_relay_webhook_latenes_seconds',
    ]);
    expect(problems('jira_relay_connections{site="a"}')).toEqual([
      'jira_relay_connections has no label site',
    ]);
    expect(problems('sum by (pool) (jira_relay_webhook_coverage)')).toEqual([
      'no metric of the expression has label pool',
    ]);
  });
});

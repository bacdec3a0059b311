import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type GrafanaDashboard, grafanaDashboard, queryPanels } from './grafana-dashboard-model.ts';
import { promqlReads } from './promql-selectors.ts';
import { relayMetricCatalog, unknownReads } from './relay-metric-catalog.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const raw: unknown = JSON.parse(
  readFileSync(path.join(root, 'deploy/grafana/jira-relay-dashboard.json'), 'utf8'),
);
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JS template.
const dashboardVariable = '${datasource}';
/** Variables Grafana defines itself. */
const builtInVariables = ['__rate_interval', '__interval', '__range'];

/** What issue 19 asks the dashboard to show, and a series that shows it. */
const requiredViews = [
  ['queue depth', 'jira_relay_queue_jobs'],
  ['webhook intake rates', 'jira_relay_webhooks_received_total'],
  ['webhook rejections', 'jira_relay_webhooks_rejected_total'],
  ['end-to-end lag', 'jira_relay_end_to_end_lag_seconds_bucket'],
  ['poll lag per site', 'jira_relay_sync_poll_lag_seconds'],
  ['webhook coverage per site', 'jira_relay_webhook_coverage'],
  ['webhook lateness per site', 'jira_relay_webhook_lateness_seconds'],
  ['points spent vs limit', 'jira_relay_jira_budget_points'],
  ['dead letters', 'jira_relay_kafka_publish_seconds_count'],
  ['Kafka publish failures', 'jira_relay_kafka_publish_failures_total'],
  ['token refreshes', 'jira_relay_token_refreshes_total'],
  ['command results by status', 'jira_relay_commands_total'],
  ['connections by status', 'jira_relay_connections'],
  ['sites whose connection is not active', 'jira_relay_connection_status'],
] as const;

const exprs = (d: GrafanaDashboard) => queryPanels(d).flatMap((p) => p.targets.map((t) => t.expr));

describe('Grafana dashboard (deploy/grafana)', () => {
  const dashboard = grafanaDashboard.parse(raw);

  it('is a dashboard in Grafana’s documented JSON model', () => {
    expect(grafanaDashboard.safeParse(raw).error).toBeUndefined();
    expect(queryPanels(dashboard).length).toBeGreaterThanOrEqual(requiredViews.length);
  });

  it('lays its panels on the grid without overlaps, each with its own id', () => {
    const panels = dashboard.panels;
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    for (const [i, a] of panels.entries()) {
      for (const b of panels.slice(i + 1)) {
        const apart =
          a.gridPos.x + a.gridPos.w <= b.gridPos.x ||
          b.gridPos.x + b.gridPos.w <= a.gridPos.x ||
          a.gridPos.y + a.gridPos.h <= b.gridPos.y ||
          b.gridPos.y + b.gridPos.h <= a.gridPos.y;
        expect(apart, `${a.title} overlaps ${b.title}`).toBe(true);
      }
    }
  });

  it('queries the data source chosen in its datasource variable, and filters sites by its site variable', async () => {
    const variables = dashboard.templating.list;
    expect(variables.find((v) => v.name === 'datasource')).toMatchObject({
      type: 'datasource',
      query: 'prometheus',
    });
    const site = variables.find((v) => v.name === 'site');
    expect(site).toMatchObject({ type: 'query', datasource: { uid: dashboardVariable } });
    const [, metric, label] = /^label_values\((\w+),\s*(\w+)\)$/.exec(String(site?.query)) ?? [];
    expect(label).toBe('site');
    expect((await relayMetricCatalog()).get(metric ?? '')?.has('site')).toBe(true);
    for (const panel of queryPanels(dashboard)) {
      expect(panel.datasource.uid, panel.title).toBe(dashboardVariable);
      for (const t of panel.targets) expect(t.datasource?.uid ?? dashboardVariable).toBe(dashboardVariable);
    }
  });

  it('uses only variables it defines or Grafana’s own', () => {
    const known = new Set([...dashboard.templating.list.map((v) => v.name), ...builtInVariables]);
    const used = exprs(dashboard).flatMap((e) => [...e.matchAll(/\$\{?(\w+)\}?/g)].map((m) => m[1] ?? ''));
    expect(used.filter((name) => !known.has(name))).toEqual([]);
  });

  it('reads only metrics and labels the relay exports, per-site ones filtered by $site', async () => {
    const catalog = await relayMetricCatalog();
    for (const expr of exprs(dashboard)) {
      const reads = promqlReads(expr);
      expect(unknownReads(catalog, reads), expr).toEqual([]);
      const perSite = reads.selectors.some((s) => catalog.get(s.metric)?.has('site'));
      if (perSite) expect(expr).toContain('site=~"$site"');
    }
  });

  for (const [view, series] of requiredViews) {
    it(`shows ${view} (${series})`, () => {
      const read = exprs(dashboard).flatMap((e) => promqlReads(e).selectors.map((s) => s.metric));
      expect(read).toContain(series);
    });
  }
});

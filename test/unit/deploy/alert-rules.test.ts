import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { alertingRules, prometheusRuleFile } from './prometheus-rule-file.ts';
import { promqlReads } from './promql-selectors.ts';
import { relayMetricCatalog, unknownReads } from './relay-metric-catalog.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const rulesFile = 'deploy/prometheus/jira-relay-alerts.yml';
const rulesTestFile = 'deploy/prometheus/jira-relay-alerts.test.yml';
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

/** Issue 19's conditions an operator must hear about, the alert for each and the metric it watches. */
const requiredAlerts = [
  {
    condition: 'webhooks quiet on a site',
    alert: 'JiraRelayWebhooksQuiet',
    metric: 'jira_relay_webhook_poll_only_share',
  },
  {
    condition: 'poll lag over a threshold',
    alert: 'JiraRelayPollLagHigh',
    metric: 'jira_relay_sync_poll_lag_seconds',
  },
  {
    condition: 'budget nearly spent',
    alert: 'JiraRelayBudgetNearlySpent',
    metric: 'jira_relay_jira_budget_points',
  },
  {
    condition: 'dead letters growing',
    alert: 'JiraRelayDeadLettersGrowing',
    metric: 'jira_relay_queue_jobs',
  },
  {
    condition: 'a connection needing reauthorization',
    alert: 'JiraRelayConnectionNeedsReauth',
    metric: 'jira_relay_connection_status',
  },
  {
    condition: 'Kafka publish failures',
    alert: 'JiraRelayKafkaPublishFailing',
    metric: 'jira_relay_kafka_publish_failures_total',
  },
] as const;

/** promtool from PATH (Debian's `prometheus` package, as docs/testing.md installs it), if any. */
function promtoolPath(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'promtool');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

/** GitHub's anchors of the markdown headings of a file. */
function headingAnchors(markdown: string): Set<string> {
  return new Set(
    [...markdown.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) =>
      (m[1] ?? '')
        .trim()
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-'),
    ),
  );
}

const promtool = promtoolPath();
const alerts = alertingRules(prometheusRuleFile.parse(parse(read(rulesFile))));

describe('Prometheus alert rules (deploy/prometheus)', () => {
  it('is a rule file in the format Prometheus documents, with alerting rules only', () => {
    const file = prometheusRuleFile.parse(parse(read(rulesFile)));
    expect(file.groups.length).toBeGreaterThan(0);
    expect(alerts).toHaveLength(file.groups.flatMap((g) => g.rules).length);
    expect(new Set(alerts.map((a) => a.alert)).size).toBe(alerts.length);
  });

  for (const { condition, alert, metric } of requiredAlerts) {
    it(`tells operators about ${condition} (${alert}, on ${metric})`, () => {
      const rule = alerts.find((a) => a.alert === alert);
      expect(rule, alert).toBeDefined();
      expect(promqlReads(rule?.expr ?? '').selectors.map((s) => s.metric)).toContain(metric);
    });
  }

  it('gives every alert a wait, a severity, a summary, a description and a runbook section that exists', () => {
    const anchors = headingAnchors(read('docs/operations.md'));
    for (const rule of alerts) {
      expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
      expect(['critical', 'warning'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      expect(rule.annotations?.description, rule.alert).toBeTruthy();
      const [doc, anchor] = (rule.annotations?.runbook ?? '').split('#');
      expect(doc, rule.alert).toBe('docs/operations.md');
      expect(anchors.has(anchor ?? ''), `${rule.alert}: no heading for #${anchor}`).toBe(true);
    }
  });

  it('reads only metrics and labels the relay exports', async () => {
    const catalog = await relayMetricCatalog();
    const problems = alerts.flatMap((rule) =>
      unknownReads(catalog, promqlReads(rule.expr)).map((p) => `${rule.alert}: ${p}`),
    );
    expect(problems).toEqual([]);
  });

  it('has a promtool unit test in which each alert fires', () => {
    const tests = parse(read(rulesTestFile)) as {
      tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
    };
    const fired = new Set(
      tests.tests.flatMap((t) =>
        (t.alert_rule_test ?? []).filter((a) => (a.exp_alerts ?? []).length > 0).map((a) => a.alertname),
      ),
    );
    expect([...fired].sort()).toEqual(alerts.map((a) => a.alert).sort());
  });

  it.skipIf(!promtool)('passes promtool check rules', () => {
    const out = execFileSync(promtool ?? 'promtool', ['check', 'rules', rulesFile], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(out).toContain(`SUCCESS: ${alerts.length} rules found`);
  });

  it.skipIf(!promtool)('fires as expected in promtool test rules (and stays quiet where it should)', () => {
    const out = execFileSync(promtool ?? 'promtool', ['test', 'rules', rulesTestFile], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(out).toContain('SUCCESS');
  });
});

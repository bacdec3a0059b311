import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentThroughSimulator } from '../helpers/consent.ts';
import { KafkaReader } from '../helpers/kafka-reader.ts';
import { dumpKeys } from '../helpers/redis-keys.ts';
import { relayServiceEnv } from '../helpers/relay-env.ts';
import { type RelayProcess, startRelay, writeConnectorsFile } from '../helpers/relay-process.ts';
import { kafkaBrokers, testRedis, uniqueName } from '../helpers/services.ts';
import { type Simulator, startSimulator } from '../sim/index.ts';

describe('the relay as a user runs it: npm start, the simulator, Kafka', () => {
  const topics = { crm: uniqueName('crm'), monitoring: uniqueName('monitoring') };
  const dlq = uniqueName('dlq');
  const prefix = uniqueName('relay');
  let sim: Simulator;
  let relay: RelayProcess;
  let reader: KafkaReader;

  beforeAll(async () => {
    sim = await startSimulator({
      port: 0,
      sites: 2,
      issuesPerSite: 20,
      webhookRetryDelaysMs: [50, 100, 200, 400, 800],
    });
    reader = await KafkaReader.start(kafkaBrokers(), [topics.crm, topics.monitoring, dlq]);
    relay = await startRelay({
      ...relayServiceEnv(sim),
      QUEUE_PREFIX: prefix,
      CONNECTORS_CONFIG: writeConnectorsFile(topics),
      KAFKA_DLQ_TOPIC: dlq,
      KAFKA_TOPIC_PARTITIONS: '3',
    });
  }, 120_000);

  afterAll(async () => {
    await relay?.stop();
    await reader?.stop();
    await sim?.close();
  });

  it('connects both sites by consent and registers one webhook per site', async () => {
    const result = await consentThroughSimulator(relay.url);
    expect(result.status).toBe(200);
    for (const site of sim.sites) expect(result.html).toContain(site.host);
    const deadline = Date.now() + 20_000;
    while (sim.control.state().sites.some((s) => s.webhooks !== 1)) {
      if (Date.now() > deadline) throw new Error(`webhooks not registered:\n${relay.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it('turns a change in Jira into CloudEvents on Kafka, keyed by site and issue id', async () => {
    const site = sim.sites[0];
    if (!site) throw new Error('no site');
    const issue = sim.createIssue(site.cloudId, {
      fields: { summary: 'Checkout is down', description: 'Customers cannot pay' },
    });
    const key = `${site.host}:${issue.id}`;
    const events = await reader.waitFor((all) => all.filter((e) => e.key === key).length >= 2);
    const crm = events.find((e) => e.key === key && e.topic === topics.crm);
    expect(crm?.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_type: 'dev.jirarelay.crm.ticket.upserted',
      ce_source: `https://${site.host}`,
      ce_subject: issue.key,
      'content-type': 'application/json',
    });
    expect(crm?.data).toMatchObject({
      key: issue.key,
      title: 'Checkout is down',
      description: 'Customers cannot pay',
    });
    const monitoring = events.find((e) => e.key === key && e.topic === topics.monitoring);
    expect(monitoring?.headers.ce_type).toBe('dev.jirarelay.monitoring.incident.triggered');
  });

  it('publishes a comment as a note and a deletion as a tombstone', async () => {
    const site = sim.sites[1];
    if (!site) throw new Error('no site');
    const issue = sim.createIssue(site.cloudId, { fields: { summary: 'Printer on fire' } });
    sim.addComment(site.cloudId, issue.key, 'Extinguisher deployed');
    const key = `${site.host}:${issue.id}`;
    await reader.waitFor((all) =>
      all.some((e) => e.key === key && e.headers.ce_type === 'dev.jirarelay.crm.note.upserted'),
    );
    sim.deleteIssue(site.cloudId, issue.key);
    const events = await reader.waitFor((all) =>
      all.some((e) => e.key === key && e.headers.ce_type === 'dev.jirarelay.crm.ticket.deleted'),
    );
    const note = events.find((e) => e.key === key && e.headers.ce_type === 'dev.jirarelay.crm.note.upserted');
    expect(note?.data).toMatchObject({ text: 'Extinguisher deployed' });
  });

  it('keeps no token in clear anywhere in Redis: keys, values, queues and streams', async () => {
    const tokens = sim.issuedTokens();
    expect(tokens.length).toBeGreaterThan(0);
    const redis = testRedis();
    const stored = (await dumpKeys(redis, prefix)).join('\n');
    expect(stored).toContain('jira-events'); // the queues are in the scan too
    for (const token of [...tokens, sim.clientSecret]) expect(stored).not.toContain(token);
  });

  it('exposes every metric family at /metrics, with the traffic above counted', async () => {
    const text = await (await fetch(`${relay.url}/metrics`)).text();
    for (const family of [
      'process_cpu_seconds_total',
      'jira_relay_webhooks_received_total',
      'jira_relay_webhooks_rejected_total',
      'jira_relay_webhooks_deduplicated_total',
      'jira_relay_webhooks_unroutable_total',
      'jira_relay_queue_jobs',
      'jira_relay_job_duration_seconds',
      'jira_relay_kafka_publish_seconds',
      'jira_relay_kafka_publish_failures_total',
      'jira_relay_jira_requests_total',
      'jira_relay_jira_points_spent',
      'jira_relay_token_refreshes_total',
      'jira_relay_webhook_coverage',
      'jira_relay_webhook_poll_only_share',
      'jira_relay_end_to_end_lag_seconds',
    ]) {
      expect(text, family).toContain(`# TYPE ${family} `);
    }
    expect(text).toMatch(
      /jira_relay_webhooks_received_total\{event="jira:issue_created",outcome="queued"\} [1-9]/,
    );
    expect(text).toMatch(/jira_relay_jira_requests_total\{route="webhook",status="200",reason=""\} [1-9]/);
    expect(text).toMatch(/jira_relay_events_published_total\{connector="crm"\} [1-9]/);
    expect(text).toMatch(/jira_relay_queue_jobs\{queue="jira-events",state="completed"\} [1-9]/);
    expect(text).toMatch(/jira_relay_changes_total\{source="webhook",outcome="processed"\} [1-9]/);

    // The families the flow above must have moved, with their values.
    const samples = parseSamples(text);
    const positive = (name: string, labels: Record<string, string> = {}) => {
      const matching = samples.filter(
        (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
      );
      expect(matching, `${name} ${JSON.stringify(labels)}`).not.toHaveLength(0);
      expect(Math.max(...matching.map((s) => s.value)), `${name} ${JSON.stringify(labels)}`).toBeGreaterThan(
        0,
      );
    };
    for (const site of sim.sites) {
      // Every site was called (webhook registration, polls) through the budget, and its webhooks
      // delivered the changes created above before any poll found them.
      positive('jira_relay_jira_points_spent', { site: site.host });
      positive('jira_relay_jira_points_window', { site: site.host });
      positive('jira_relay_webhook_coverage', { site: site.host });
      const coverage = samples.find(
        (s) => s.name === 'jira_relay_webhook_coverage' && s.labels.site === site.host,
      );
      expect(coverage?.value).toBeLessThanOrEqual(1);
    }
    positive('jira_relay_jira_budget_points', { pool: 'app', state: 'spent' });
    positive('jira_relay_job_duration_seconds_count', { queue: 'jira-events', outcome: 'completed' });
    positive('jira_relay_kafka_publish_seconds_count', { kind: 'events' });
    positive('jira_relay_end_to_end_lag_seconds_count', { source: 'webhook' });
    positive('jira_relay_webhook_intake_seconds_count');
    positive('process_cpu_seconds_total');
  });
});

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The samples of a Prometheus text exposition (comments skipped). */
function parseSamples(text: string): Sample[] {
  return text.split('\n').flatMap((line) => {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) return [];
    const labels = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']),
    );
    return [{ name: match[1] ?? '', labels, value: Number(match[3]) }];
  });
}

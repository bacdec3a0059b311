import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaReader, type ReadEvent } from '../../helpers/kafka-reader.ts';
import type { RelayProcess } from '../../helpers/relay-process.ts';
import { kafkaBrokers, uniqueName } from '../../helpers/services.ts';
import { type Simulator, startSimulator } from '../../sim/index.ts';
import { fieldDefs } from '../../sim/render/fields.ts';
import { obtainTokens } from '../../sim/test-client.ts';
import { adminApi, metricValue, startConnectedRelay } from './relay-with-sim.ts';

/**
 * The held-out check of issue 19: every built-in field of a simulator issue, mapped by id and by
 * name, arrives with its value on Kafka, and the value is the same whether the change came by
 * webhook or by polling. Polls run only when asked (the schedule is a day), so each phase has
 * one path: first webhooks, then, with every delivery dropped, a poll asked for by the admin API.
 */
const builtIn = fieldDefs.filter((f) => !f.custom && f.id !== 'comment');
const onlyWhenAsked = {
  SYNC_POLL_MIN_INTERVAL_SECONDS: '86400',
  SYNC_POLL_MAX_INTERVAL_SECONDS: '86400',
  SYNC_PLAN_INTERVAL_SECONDS: '86400',
  SYNC_RECONCILE_INTERVAL_SECONDS: '86400',
};

function everyFieldFile(topic: string): string {
  const lines = builtIn.flatMap((f) => [
    `      id_${f.id}: { id: ${f.id} }`,
    `      name_${f.id}: { name: "${f.name}" }`,
  ]);
  const file = path.join(tmpdir(), `${uniqueName('every-field')}.yaml`);
  writeFileSync(
    file,
    `connectors:\n  crm:\n    topic: ${topic}\n    fields:\n${lines.join('\n')}\n  monitoring:\n    enabled: false\n`,
  );
  return file;
}

describe('every built-in field, by id and by name, by webhook and by polling', () => {
  const topic = uniqueName('crm-fields');
  let sim: Simulator;
  let relay: RelayProcess;
  let reader: KafkaReader;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, sites: 1, issuesPerSite: 6, webhookRetryDelaysMs: [50, 100, 200] });
    reader = await KafkaReader.start(kafkaBrokers(), [topic]);
    relay = await startConnectedRelay(sim, { ...onlyWhenAsked, CONNECTORS_CONFIG: everyFieldFile(topic) });
  }, 120_000);

  afterAll(async () => {
    await relay?.stop();
    await reader?.stop();
    await sim?.close();
  });

  it('delivers every field with the same value on both paths', { timeout: 90_000 }, async () => {
    const [site] = sim.sites;
    const [, assignee, reader2] = sim.users;
    if (!site || !assignee || !reader2) throw new Error('the simulator has too little');
    const key = `${site.host}:10000`; // the first generated issue: every work field set
    const ticketAt = async (updated: number) =>
      (
        await reader.waitFor(
          (all) => all.some((e) => e.key === key && fieldsOf(e).id_updated === iso(updated)),
          30_000,
        )
      ).find((e) => e.key === key && fieldsOf(e).id_updated === iso(updated)) as ReadEvent;
    await reader.waitFor((all) => all.some((e) => e.key === key), 30_000); // the backfill's
    const [connection] = ((await adminApi(relay, 'GET', '/connections')) as { connections: { id: string }[] })
      .connections;
    if (!connection) throw new Error('no connection');

    // By webhook: resolve, assign, label and give it a component, so no field is left empty.
    const viaWebhook = metricValue(relay, 'jira_relay_changes_total', {
      source: 'webhook',
      outcome: 'processed',
    });
    const first = sim.updateIssue(site.cloudId, '10000', {
      status: 'Done',
      fields: { assignee: { accountId: assignee.accountId }, labels: ['ops'], components: [{ id: '10100' }] },
    });
    const pushed = fieldsOf(await ticketAt(first.updated));
    expect(
      await metricValue(relay, 'jira_relay_changes_total', { source: 'webhook', outcome: 'processed' }),
    ).toBe((await viaWebhook) + 1);

    // By polling: deliveries dropped, a change to a field no mapping names, a poll asked for.
    sim.setFaults({ webhookDropRate: 1 });
    const second = sim.updateIssue(site.cloudId, '10000', { fields: { customfield_10016: 13 } });
    await adminApi(relay, 'POST', `/connections/${connection.id}/resync`);
    const polled = fieldsOf(await ticketAt(second.updated));
    expect(
      await metricValue(relay, 'jira_relay_changes_total', { source: 'poll', outcome: 'processed' }),
    ).toBe(1);

    for (const f of builtIn) {
      const [byId, byName] = [`id_${f.id}`, `name_${f.id}`];
      expect(pushed[byId], `${f.id} by webhook`).not.toBeNull();
      expect(pushed[byName], `${f.id} by name, webhook`).toEqual(pushed[byId]);
      expect(polled[byName], `${f.id} by name, poll`).toEqual(polled[byId]);
      if (f.id !== 'updated') expect(polled[byId], `${f.id}: poll and webhook`).toEqual(pushed[byId]);
    }

    // The values are Jira's, as an API read by someone else shows them.
    const { access_token } = await obtainTokens(sim.url, {
      clientId: sim.clientId,
      clientSecret: sim.clientSecret,
      loginHint: reader2.accountId,
    });
    const response = await fetch(`${sim.url}/ex/jira/${site.cloudId}/rest/api/3/issue/10000?fields=*all`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    const jira = ((await response.json()) as { fields: Record<string, Record<string, unknown>> }).fields;
    expect(polled).toMatchObject({
      id_status: 'Done',
      id_resolution: 'Done',
      id_assignee: { accountId: assignee.accountId, displayName: assignee.displayName },
      id_duedate: jira.duedate,
      id_created: iso(Date.parse(String(jira.created).replace(/(\d{2})(\d{2})$/, '$1:$2'))),
      id_parent: jira.parent?.key,
      id_fixVersions: (jira.fixVersions as unknown as { name: string }[]).map((v) => v.name),
      id_timetracking: {
        originalEstimateSeconds: jira.timetracking?.originalEstimateSeconds,
        remainingEstimateSeconds: jira.timetracking?.remainingEstimateSeconds,
        timeSpentSeconds: jira.timetracking?.timeSpentSeconds,
      },
      id_watches: jira.watches?.watchCount,
      id_security: jira.security?.name,
    });
  });
});

function fieldsOf(event: ReadEvent): Record<string, unknown> {
  return (event.data.fields ?? {}) as Record<string, unknown>;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

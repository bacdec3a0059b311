import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayProcess } from '../../helpers/relay-process.ts';
import { kafkaBrokers } from '../../helpers/services.ts';
import { type Simulator, startSimulator } from '../../sim/index.ts';
import { metricValue, startConnectedRelay } from './relay-with-sim.ts';
import { type TailEvent, TopicTail } from './topic-tail.ts';

/** The default topics: what a relay without CONNECTORS_CONFIG publishes to. */
const defaultTopics = ['jira.crm.events', 'jira.monitoring.events'];
const example = path.resolve(import.meta.dirname, '../../../config/connectors.example.yaml');

describe('connectors without a file, and the example file', () => {
  let sim: Simulator | undefined;
  let relay: RelayProcess | undefined;
  let reader: TopicTail | undefined;

  afterEach(async () => {
    await relay?.stop();
    await reader?.stop();
    await sim?.close();
    [relay, reader, sim] = [undefined, undefined, undefined];
  });

  it('publishes every change the demo makes on both topics when CONNECTORS_CONFIG is unset', {
    timeout: 90_000,
  }, async () => {
    sim = await startSimulator({ port: 0, sites: 1, issuesPerSite: 3, webhookRetryDelaysMs: [50, 100, 200] });
    const [site] = sim.sites;
    if (!site) throw new Error('no site');
    // The default topics outlive test runs: read from their ends, and only events of changes from now.
    const since = sim.clock.now();
    const current = (e: TailEvent) => Date.parse(String(e.headers.ce_time)) >= since;
    reader = await TopicTail.start(kafkaBrokers(), defaultTopics);
    relay = await startConnectedRelay(sim, {});
    const live = sim;
    const events = reader;

    // The demo's round (scripts/demo.ts): create, edit, transition, comment, transition, delete.
    const created = live.createIssue(site.cloudId, {
      fields: { summary: 'Checkout page returns 500', description: 'Customers *cannot* pay.' },
    });
    const key = `${site.host}:${created.id}`;
    const ofIssue = (all: readonly TailEvent[]) => all.filter((e) => e.key === key && current(e));
    const crm =
      (type: string, data: Record<string, unknown> = {}) =>
      (e: TailEvent) =>
        e.headers.ce_type === `dev.jirarelay.crm.${type}` &&
        Object.entries(data).every(([k, v]) => e.data[k] === v);
    // Each change, and the CRM event that shows it, before the next change.
    const steps: [() => unknown, (e: TailEvent) => boolean][] = [
      [() => undefined, crm('ticket.upserted', { title: 'Checkout page returns 500' })],
      [
        () => live.updateIssue(site.cloudId, created.key, { fields: { priority: { name: 'Highest' } } }),
        crm('ticket.upserted', { priority: 'Highest' }),
      ],
      [
        () => live.transition(site.cloudId, created.key, 'In Progress'),
        crm('ticket.upserted', { jiraStatus: 'In Progress' }),
      ],
      [
        () =>
          live.addComment(site.cloudId, created.key, 'Rolled back the last deploy; watching error rates.'),
        crm('note.upserted', { text: 'Rolled back the last deploy; watching error rates.' }),
      ],
      [
        () => live.transition(site.cloudId, created.key, 'Done'),
        crm('ticket.upserted', { jiraStatus: 'Done' }),
      ],
      [() => live.deleteIssue(site.cloudId, created.key), crm('ticket.deleted')],
    ];
    for (const [change, shown] of steps) {
      change();
      await events.waitFor((all) => ofIssue(all).some(shown));
    }
    // Monitoring publishes what changes an incident's lifecycle: all of it, unfiltered.
    const incident = (all: readonly TailEvent[]) =>
      ofIssue(all)
        .filter((e) => e.topic === 'jira.monitoring.events')
        .map((e) => e.headers.ce_type?.replace('dev.jirarelay.monitoring.incident.', ''));
    const lifecycle = ['triggered', 'acknowledged', 'annotated', 'resolved'];
    await events.waitFor((all) => lifecycle.every((type) => incident(all).includes(type)));
    // The standard fields ride along, by id, without a field list.
    const ticket = ofIssue(events.events).find(
      (e) => e.headers.ce_type === 'dev.jirarelay.crm.ticket.upserted',
    );
    expect(Object.keys((ticket?.data.fields ?? {}) as object)).toEqual(
      expect.arrayContaining([
        'dueDate',
        'resolution',
        'resolvedAt',
        'fixVersions',
        'parent',
        'links',
        'timeTracking',
      ]),
    );
  });

  it('counts what the example file’s filters drop, by connector and reason, and logs why', {
    timeout: 90_000,
  }, async () => {
    sim = await startSimulator({ port: 0, sites: 1, issuesPerSite: 3, webhookRetryDelaysMs: [50, 100, 200] });
    const [site] = sim.sites;
    if (!site) throw new Error('no site');
    relay = await startConnectedRelay(sim, { CONNECTORS_CONFIG: example, LOG_LEVEL: 'debug' });
    const live = relay;
    const filteredLines = () =>
      live
        .output()
        .split('\n')
        .filter((line) => line.includes('change filtered out'))
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as Record<string, unknown>];
          } catch {
            return []; // a line still being written
          }
        });
    const logged = async (expected: Record<string, unknown>) => {
      const deadline = Date.now() + 30_000;
      while (!filteredLines().some((line) => Object.entries(expected).every(([k, v]) => line[k] === v))) {
        if (Date.now() > deadline)
          throw new Error(`not logged: ${JSON.stringify(expected)}\n${live.output().slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    // Project CRM: neither connector's filter (SUP, OPS / OPS) takes it.
    const outside = sim.createIssue(site.cloudId, {
      fields: { project: { key: 'CRM' }, summary: 'Invoice wrong' },
    });
    // Project OPS, but a Task: the CRM filter takes Bugs, Incidents and Service Requests only.
    const task = sim.createIssue(site.cloudId, {
      fields: { project: { key: 'OPS' }, issuetype: { name: 'Task' }, summary: 'Tidy up' },
    });
    await logged({
      level: 20,
      connector: 'crm',
      issue: outside.key,
      reason: 'project',
      detail: 'project CRM is not in the filter',
    });
    await logged({ connector: 'monitoring', issue: outside.key, reason: 'project' });
    await logged({
      connector: 'crm',
      issue: task.key,
      reason: 'issue_type',
      detail: 'issue type Task is not in the filter',
    });

    for (const [connector, reason] of [
      ['crm', 'project'],
      ['monitoring', 'project'],
      ['crm', 'issue_type'],
    ] as const) {
      const counted = await metricValue(live, 'jira_relay_changes_filtered_total', { connector, reason });
      expect(counted, `${connector} ${reason}`).toBeGreaterThanOrEqual(1);
    }
  });
});

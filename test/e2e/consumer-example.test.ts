import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemoryModel, type ModelChange } from '../../examples/consumer/model.ts';
import { type ConsumerStats, type RunningConsumer, startConsumer } from '../../examples/consumer.ts';
import { consentThroughSimulator } from '../helpers/consent.ts';
import { KafkaReader, type ReadEvent } from '../helpers/kafka-reader.ts';
import { relayServiceEnv } from '../helpers/relay-env.ts';
import { type RelayProcess, startRelay, writeConnectorsFile } from '../helpers/relay-process.ts';
import { kafkaBrokers, uniqueName } from '../helpers/services.ts';
import { waitUntil } from '../helpers/wait-until.ts';
import { type Simulator, startSimulator } from '../sim/index.ts';
import { jiraRequest, type LooseJson, obtainTokens } from '../sim/test-client.ts';

const ns = 'dev.jirarelay.';
const stateOf: Record<string, string> = { new: 'triggered', indeterminate: 'acknowledged', done: 'resolved' };

describe('examples/consumer.ts against the relay: the model ends as Jira is, repeats and old copies change nothing', () => {
  const topics = { crm: uniqueName('crm'), monitoring: uniqueName('monitoring') };
  const model = new InMemoryModel();
  /** Every change the consumer applied, in order: the sink is the test's window on the consumer. */
  const applied: ModelChange[] = [];
  const logged: string[] = [];
  let sim: Simulator;
  let relay: RelayProcess;
  let reader: KafkaReader;
  let consumer: RunningConsumer;
  let producer: Producer;
  let cloudId: string;
  let host: string;
  const issues = { a: { id: '', key: '' }, b: { id: '', key: '' }, c: { id: '', key: '' } };
  const notes = { kept: '', deleted: '' };

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, sites: 1, issuesPerSite: 5, webhookRetryDelaysMs: [50, 100, 200] });
    const site = sim.sites[0];
    if (!site) throw new Error('no site');
    ({ cloudId, host } = site);
    reader = await KafkaReader.start(kafkaBrokers(), Object.values(topics));
    relay = await startRelay({
      ...relayServiceEnv(sim),
      QUEUE_PREFIX: uniqueName('relay'),
      CONNECTORS_CONFIG: writeConnectorsFile(topics),
      KAFKA_DLQ_TOPIC: uniqueName('dlq'),
      KAFKA_TOPIC_PARTITIONS: '3',
    });
    expect((await consentThroughSimulator(relay.url)).status).toBe(200);
    await waitUntil('the webhook registration', () => sim.control.state().sites[0]?.webhooks === 1);
    consumer = await startConsumer({
      brokers: kafkaBrokers(),
      topics: Object.values(topics),
      groupId: uniqueName('example'),
      fromBeginning: true,
      sink: {
        apply(change) {
          applied.push(change);
          model.apply(change);
        },
      },
      log: (line) => logged.push(line),
    });
    producer = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
  }, 120_000);

  afterAll(async () => {
    await consumer?.stop();
    await producer?.disconnect();
    await relay?.stop();
    await stopReader();
    await sim?.close();
  });

  // The reader checks every message against the published schemas: it stops (and says whether the
  // relay's events kept to them) before the tests below write messages that break them on purpose.
  let readerStopped: Promise<void> | undefined;
  const stopReader = () => (readerStopped ??= reader?.stop());

  /** Waits until the relay published an event of `type` (suffix) for `issue` that `match` accepts. */
  const published = (issue: { id: string }, type: string, match: (e: ReadEvent) => boolean = () => true) =>
    reader.waitFor((all) => all.some((e) => e.key === `${host}:${issue.id}` && isType(e, type) && match(e)));
  // Two writes in one millisecond would share Jira's `updated`, so one version: a person cannot do that.
  const step = () => sim.clock.advance(1000);

  // Its waits add up to more than the default 30 s on a loaded machine (the model's alone may take 45 s).
  it('applies creates, edits, transitions, comments and deletions until the model is what Jira says', {
    timeout: 120_000,
  }, async () => {
    issues.a = sim.createIssue(cloudId, {
      fields: { summary: 'Checkout is down', description: 'Cannot pay' },
    });
    await published(issues.a, 'crm.ticket.upserted');
    step();
    sim.updateIssue(cloudId, issues.a.key, {
      fields: { summary: 'Checkout 500s', priority: { name: 'Highest' } },
    });
    step();
    sim.transition(cloudId, issues.a.key, 'In Progress');
    step();
    notes.kept = sim.addComment(cloudId, issues.a.key, 'The payment provider times out').id;
    await published(issues.a, 'crm.note.upserted', (e) => e.data.id === notes.kept);
    step();
    sim.updateComment(cloudId, issues.a.key, notes.kept, 'The payment provider times out on 3DS');
    step();
    notes.deleted = sim.addComment(cloudId, issues.a.key, 'Wrong issue, sorry').id;
    // A comment deleted before the relay took its creation may never be published (the deletion
    // supersedes it), so the annotation asserted below is only owed once the creation went out.
    const annotated = () =>
      model.incidents.get(`${host}:${issues.a.id}`)?.annotations.has(notes.deleted) === true;
    await waitUntil('the comment to reach the incident', annotated);
    step();
    sim.deleteComment(cloudId, issues.a.key, notes.deleted);
    issues.b = sim.createIssue(cloudId, { fields: { summary: 'Printer on fire' } });
    step();
    sim.addComment(cloudId, issues.b.key, 'Extinguisher deployed');
    step();
    sim.deleteIssue(cloudId, issues.b.key);
    issues.c = sim.createIssue(cloudId, { fields: { summary: 'Disk full' } });
    step();
    sim.transition(cloudId, issues.c.key, 'Done');

    const jira = await readJira();
    await waitUntil('the model to match Jira', () => differences(jira).length === 0, { timeoutMs: 45_000 });
    expect(differences(jira)).toEqual([]);
    // A deleted comment stays as an annotation on the incident: a pager has no way to take one back.
    const annotations = model.incidents.get(`${host}:${issues.a.id}`)?.annotations;
    expect(annotations?.get(notes.deleted)).toBe('Wrong issue, sorry');
    expect(annotations?.get(notes.kept)).toBe('The payment provider times out on 3DS');
    expect(consumer.stats).toMatchObject({ bad: 0 });
    expect(consumer.stats.applied).toBeGreaterThanOrEqual(12);
  });

  it('drops republished messages by ce_id and leaves the model unchanged', async () => {
    const copies = reader.events.filter((e) => e.key === `${host}:${issues.a.id}`).slice(0, 6);
    expect(new Set(copies.map((e) => e.topic)).size).toBe(2);
    const before = { model: ours(model), applied: appliedToOurs(), stats: { ...consumer.stats } };
    for (const e of copies) await republish(e);
    await waitUntil('the copies to be dropped', () => copies.every((e) => logs('dropped repeat', e) > 0));
    expect(consumer.stats.duplicates - before.stats.duplicates).toBeGreaterThanOrEqual(copies.length);
    expect(appliedToOurs()).toBe(before.applied);
    expect(ours(model)).toBe(before.model);
  });

  it('ignores an older version that comes after a newer one, and anything after a deletion', async () => {
    const a = `${host}:${issues.a.id}`;
    const first = (type: string, match: (e: ReadEvent) => boolean = () => true) => {
      const event = reader.events.find((e) => e.key === a && isType(e, type) && match(e));
      if (!event) throw new Error(`no ${type} of ${issues.a.key}`);
      return event;
    };
    const kept = first('crm.note.upserted', (e) => e.data.id === notes.kept);
    const revived = { ...kept, data: { ...kept.data, id: notes.deleted, text: 'back from the dead' } };
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    // Fresh ids stand for repeats whose ce_id has left the consumer's window: versions catch them.
    const originals: ReadEvent[] = [
      first('crm.ticket.upserted'), // the creation, before the edit
      kept, // the text before its edit
      first('monitoring.incident.triggered'), // the incident is acknowledged since
      // A note newer than its deletion: deletions stick, Jira never brings a comment back.
      { ...revived, headers: { ...revived.headers, ce_time: inAnHour } },
    ];
    const older = originals.map((e) => ({
      ...e,
      headers: { ...e.headers, ce_id: freshId() },
    }));
    await stopReader();
    const before = { model: ours(model), applied: appliedToOurs(), stats: { ...consumer.stats } };
    for (const e of older) await republish(e);
    await waitUntil('the older copies to be ignored', () => older.every((e) => logs('ignored', e) > 0));
    expect(consumer.stats.stale - before.stats.stale).toBeGreaterThanOrEqual(older.length);
    expect(appliedToOurs()).toBe(before.applied);
    expect(ours(model)).toBe(before.model);
  });

  it('logs and skips messages that are not its events, then goes on', async () => {
    const a = reader.events.find((e) => e.key === `${host}:${issues.a.id}` && e.topic === topics.crm);
    if (!a) throw new Error('no event');
    const before = { applied: appliedToOurs(), bad: consumer.stats.bad, drops: logs('dropped repeat', a) };
    const odd = { ...a.headers, ce_id: freshId(), ce_type: `${ns}crm.odd` };
    await producer.send({
      topic: topics.crm,
      messages: [
        { key: a.key, value: 'not json {', headers: { ...a.headers, ce_id: freshId() } },
        { key: a.key, value: '{}', headers: odd },
        { key: a.key, value: '{"hello":"world"}' },
      ],
    });
    await republish(a); // after the bad ones, in their partition: handled, so the consumer went on
    await waitUntil('the copy after the bad messages', () => logs('dropped repeat', a) > before.drops);
    expect(consumer.stats.bad - before.bad).toBe(3);
    expect(appliedToOurs()).toBe(before.applied);
    const skipped = logged.filter((l) => l.startsWith('skipped')).join('\n');
    expect(skipped).toMatch(/not JSON|not valid JSON/);
    expect(skipped).toContain(`unknown type ${ns}crm.odd`);
    expect(skipped).toContain('No CloudEvent detected');
  });

  it('with a window of one ce_id, a second consumer replaying everything builds the same model', async () => {
    const second = new InMemoryModel();
    const secondApplied: string[] = [];
    const target = total(consumer.stats);
    const replay = await startConsumer({
      brokers: kafkaBrokers(),
      topics: Object.values(topics),
      groupId: uniqueName('example-replay'),
      fromBeginning: true,
      sink: {
        apply(change) {
          if (isOurs(change.key)) secondApplied.push(change.id);
          second.apply(change);
        },
      },
      recentIds: 1,
    });
    try {
      await waitUntil('the replay to catch up', () => total(replay.stats) >= target, { timeoutMs: 30_000 });
      await waitUntil('the same model', () => ours(second) === ours(model), { timeoutMs: 10_000 });
      // Repeats beyond a window of one id were still not applied twice: the versions caught them.
      // (Sorted: the two topics interleave differently; within a partition the order is the same.)
      const firstApplied = applied.filter((c) => isOurs(c.key)).map((c) => c.id);
      expect(secondApplied.sort()).toEqual(firstApplied.sort());
      expect(replay.stats.stale).toBeGreaterThan(consumer.stats.stale);
      expect(replay.stats.bad).toBe(consumer.stats.bad);
    } finally {
      await replay.stop();
    }
  });

  it('runs as `node examples/consumer.ts`, one line per change, and stops on SIGINT', async () => {
    const child = spawn(
      process.execPath,
      ['examples/consumer.ts', '--from-beginning', '--topics', Object.values(topics).join(',')],
      {
        cwd: path.resolve(import.meta.dirname, '../..'),
        env: { ...process.env, KAFKA_BROKERS: kafkaBrokers().join(',') },
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.stderr.on('data', (c: Buffer) => (err += c));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // The two topics are read side by side: wait for a line from each, in either order.
    const incident = new RegExp(`incident +${issues.a.key} .*acknowledged`);
    await waitUntil(
      'the CLI to print the ticket and the incident',
      () => out.includes(`ticket   ${issues.a.key} (`) && incident.test(out),
      { timeoutMs: 30_000 },
    );
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(err).toMatch(/SIGINT: stopped; \d+ applied/);
  });

  async function republish(e: ReadEvent): Promise<void> {
    await producer.send({
      topic: e.topic,
      messages: [{ key: e.key, value: JSON.stringify(e.data), headers: { ...e.headers } }],
    });
  }

  /** How many times the consumer logged `what` about this event's ce_id. */
  function logs(what: 'dropped repeat' | 'ignored', e: ReadEvent): number {
    return logged.filter((l) => l.startsWith(what) && l.includes(e.headers.ce_id ?? '?')).length;
  }

  /** The changes applied to the issues this test made (the relay also backfills the site's others). */
  function appliedToOurs(): number {
    return applied.filter((c) => isOurs(c.key)).length;
  }

  /** The model of this test's issues, as JSON, to compare two moments or two models. */
  function ours(m: InMemoryModel): string {
    const { tickets, incidents } = m.snapshot();
    const pick = (r: Record<string, unknown>) => Object.entries(r).filter(([key]) => isOurs(key));
    return JSON.stringify({ tickets: pick(tickets), incidents: pick(incidents) });
  }

  function isOurs(key: string): boolean {
    return Object.values(issues).some((i) => key === `${host}:${i.id}`);
  }

  /** Jira's own view, read back through the simulator's REST API. */
  async function readJira(): Promise<Map<string, LooseJson>> {
    const { access_token: token } = await obtainTokens(sim.url, {
      clientId: sim.clientId,
      clientSecret: sim.clientSecret,
    });
    const get = async (p: string) => (await jiraRequest({ simUrl: sim.url, token, cloudId }, 'GET', p)).json;
    const out = new Map<string, LooseJson>();
    for (const issue of Object.values(issues)) {
      const found = await jiraRequest({ simUrl: sim.url, token, cloudId }, 'GET', `/issue/${issue.id}`);
      if (found.status === 404) out.set(issue.id, null);
      else out.set(issue.id, { ...found.json, comments: (await get(`/issue/${issue.id}/comment`)).comments });
    }
    return out;
  }

  /** Where the consumer's model and Jira disagree, as readable lines (none when they agree). */
  function differences(jira: Map<string, LooseJson>): string[] {
    const out: string[] = [];
    const same = (what: string, got: unknown, want: unknown) => {
      if (JSON.stringify(got) !== JSON.stringify(want))
        out.push(`${what}: ${JSON.stringify(got)} != ${JSON.stringify(want)}`);
    };
    for (const [id, issue] of jira) {
      const key = `${host}:${id}`;
      const entry = model.tickets.get(key);
      const incident = model.incidents.get(key);
      if (issue === null) {
        same(`${key} ticket`, entry, undefined);
        same(`${key} incident`, incident?.state, 'resolved');
        continue;
      }
      const f = issue.fields;
      same(`${key} title`, entry?.ticket?.title, f.summary);
      same(`${key} status`, entry?.ticket?.jiraStatus, f.status.name);
      same(`${key} priority`, entry?.ticket?.priority, f.priority?.name ?? null);
      same(`${key} updated`, Date.parse(entry?.ticket?.updated ?? ''), Date.parse(f.updated));
      same(`${key} incident`, incident?.state, stateOf[f.status.statusCategory.key]);
      const comments = (issue.comments as LooseJson[]).map((c) => ({ id: c.id, text: adfText(c.body) }));
      const noted = [...(entry?.notes.values() ?? [])].map((n) => ({ id: n.id, text: n.text }));
      same(`${key} notes`, noted, comments);
    }
    return out;
  }
});

function isType(e: ReadEvent, suffix: string): boolean {
  return e.headers.ce_type === `${ns}${suffix}`;
}

/** A ce_id no event has: 32 hex digits, like the relay's. */
function freshId(): string {
  return randomBytes(16).toString('hex');
}

function total(s: ConsumerStats): number {
  return s.applied + s.duplicates + s.stale + s.bad;
}

/** The text of an ADF document: its text nodes, paragraphs joined by newlines. */
function adfText(node: LooseJson): string {
  if (node?.type === 'text') return node.text ?? '';
  const parts = ((node?.content ?? []) as LooseJson[]).map(adfText);
  return parts.join(node?.type === 'doc' ? '\n' : '');
}

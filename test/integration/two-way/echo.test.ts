import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadEvent } from '../../helpers/kafka-reader.ts';
import { startTwoWayStack, type TwoWayStack } from './two-way-stack.ts';

let stack: TwoWayStack;

beforeAll(async () => {
  stack = await startTwoWayStack();
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const on = (topic: string, type: string, match: (e: ReadEvent) => boolean) => (all: readonly ReadEvent[]) =>
  all.filter((e) => e.topic === topic && e.headers.ce_type === `dev.jirarelay.${type}` && match(e));

describe('no echo: a command’s own change does not go back to the system that sent it', () => {
  it('publishes a CRM note’s comment to monitoring with ce_origin, not back to the CRM; a human edit after it goes to both', async () => {
    const site = stack.site();
    const issue = stack.sim.createIssue(site.cloudId, { fields: { summary: 'Customer cannot log in' } });
    const key = `${site.host}:${issue.id}`;
    // The issue's own creation reaches both topics first.
    await stack.reader.waitFor((all) => all.filter((e) => e.key === key).length >= 2);

    const id = await stack.send({
      type: 'crm.note.create',
      data: { issue: issue.key, body: 'Customer called back' },
    });
    const [result] = await stack.results(id);
    expect(result?.data).toMatchObject({ status: 'applied' });
    const commentId = String((result?.data.jira as { commentId?: string } | undefined)?.commentId);
    const byComment = (e: ReadEvent) => e.key === key && JSON.stringify(e.data).includes(commentId);

    const annotations = on(stack.topics.monitoring, 'monitoring.incident.annotated', byComment);
    const [annotation] = annotations(await stack.reader.waitFor((all) => annotations(all).length >= 1));
    expect(annotation?.headers.ce_origin).toBe('urn:test:crm');
    // The webhook and a poll both had their chance: nothing comes back on the CRM topic.
    await sleep(3000);
    const notes = on(stack.topics.crm, 'crm.note.upserted', byComment);
    expect(notes(stack.reader.events)).toEqual([]);

    // A person edits the same comment right after: that is news for both systems.
    stack.sim.updateComment(site.cloudId, issue.key, commentId, 'Customer called back twice');
    const human = on(stack.topics.crm, 'crm.note.upserted', byComment);
    const [edited] = human(await stack.reader.waitFor((all) => human(all).length >= 1));
    expect(edited?.headers.ce_origin).toBeUndefined();
    await stack.reader.waitFor((all) => annotations(all).length >= 2);
    expect(annotations(stack.reader.events).at(-1)?.headers.ce_origin).toBeUndefined();
  });

  it('keeps a monitoring acknowledgement off the monitoring topic and gives the CRM the ticket with ce_origin', async () => {
    const site = stack.site();
    const issue = stack.sim.createIssue(site.cloudId, { fields: { summary: 'Disk almost full' } });
    const key = `${site.host}:${issue.id}`;
    const triggered = on(stack.topics.monitoring, 'monitoring.incident.triggered', (e) => e.key === key);
    await stack.reader.waitFor((all) => triggered(all).length >= 1);

    const id = await stack.send({
      type: 'monitoring.incident.acknowledge',
      data: { issue: issue.key },
      source: 'urn:test:pager',
    });
    expect((await stack.results(id))[0]?.data).toMatchObject({ status: 'applied' });
    const upserts = on(
      stack.topics.crm,
      'crm.ticket.upserted',
      (e) => e.key === key && e.headers.ce_origin === 'urn:test:pager',
    );
    const [ticket] = upserts(await stack.reader.waitFor((all) => upserts(all).length >= 1));
    expect(ticket?.data).toMatchObject({ statusCategory: 'indeterminate' });
    await sleep(3000);
    const acks = on(stack.topics.monitoring, 'monitoring.incident.acknowledged', (e) => e.key === key);
    expect(acks(stack.reader.events)).toEqual([]);

    // A person then resolves it in Jira: monitoring hears of it, compared with what it published.
    stack.sim.transition(site.cloudId, issue.key, 'Done');
    const resolved = on(stack.topics.monitoring, 'monitoring.incident.resolved', (e) => e.key === key);
    const [resolution] = resolved(await stack.reader.waitFor((all) => resolved(all).length >= 1));
    expect(resolution?.headers.ce_origin).toBeUndefined();
  });

  it('does not take a human edit during the relay’s write for its echo', async () => {
    const site = stack.site();
    const issue = stack.sim.createIssue(site.cloudId, { fields: { summary: 'Two hands' } });
    const key = `${site.host}:${issue.id}`;
    await stack.reader.waitFor((all) => all.filter((e) => e.key === key).length >= 2);
    const id = await stack.send({
      type: 'crm.ticket.update',
      data: { issue: issue.key, title: 'Two hands (CRM)' },
    });
    expect((await stack.results(id))[0]?.data).toMatchObject({ status: 'applied' });
    stack.sim.updateIssue(site.cloudId, issue.key, { fields: { labels: ['human'] } });
    const human = on(
      stack.topics.crm,
      'crm.ticket.upserted',
      (e) => e.key === key && JSON.stringify(e.data).includes('human'),
    );
    const [upsert] = human(await stack.reader.waitFor((all) => human(all).length >= 1));
    expect(upsert?.headers.ce_origin).toBeUndefined();
    const own = on(
      stack.topics.crm,
      'crm.ticket.upserted',
      (e) => e.key === key && e.data.title === 'Two hands (CRM)' && !JSON.stringify(e.data).includes('human'),
    );
    expect(own(stack.reader.events)).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwoWayStack, type TwoWayStack } from './two-way-stack.ts';

let stack: TwoWayStack;
let key: string;

beforeAll(async () => {
  stack = await startTwoWayStack();
  const site = stack.site();
  key = stack.sim.createIssue(site.cloudId, { fields: { summary: 'Printer on fire' } }).key;
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

const resultOf = async (id: string) => (await stack.results(id))[0]?.data ?? {};

describe('commands from Kafka change Jira, each answered once on the results topic', () => {
  it('creates an issue with fields by name, carrying the origin property', async () => {
    const id = await stack.send({
      type: 'jira.issue.create',
      data: {
        project: 'OPS',
        issueType: 'Task',
        fields: { Summary: 'From the CRM', description: 'Made by a command' },
      },
    });
    const result = await resultOf(id);
    expect(result).toMatchObject({ commandId: id, status: 'applied', attempts: 1 });
    const created = await stack.issue((result.issue as { key: string }).key);
    expect(created.fields.summary).toBe('From the CRM');
    expect(created.properties['jira-relay.origin']).toEqual({ commandId: id, source: 'urn:test:crm' });
  });

  it('updates fields and transitions, with historyMetadata on the changelog', async () => {
    const update = await stack.send({
      type: 'jira.issue.update',
      data: { issue: key, fields: { summary: 'Printer still on fire', priority: 'Highest' } },
    });
    expect(await resultOf(update)).toMatchObject({ status: 'applied', issue: { key } });
    const move = await stack.send({ type: 'jira.issue.transition', data: { issue: key, to: 'In Progress' } });
    expect(await resultOf(move)).toMatchObject({
      status: 'applied',
      jira: { status: 'In Progress', transitioned: true },
    });
    const issue = await stack.issue(key);
    expect(issue.fields).toMatchObject({
      summary: 'Printer still on fire',
      priority: { name: 'Highest' },
      status: { name: 'In Progress' },
    });
    const last = issue.changelog.histories.at(-1);
    expect(last.historyMetadata.extraData).toMatchObject({ commandId: move });
  });

  it('creates, edits and deletes a comment (Markdown becomes ADF)', async () => {
    const create = await stack.send({
      type: 'jira.comment.create',
      data: { issue: key, body: 'Called the **customer**', format: 'markdown' },
    });
    const created = await resultOf(create);
    expect(created).toMatchObject({ status: 'applied' });
    const commentId = (created.jira as { commentId: string }).commentId;
    const edit = await stack.send({
      type: 'jira.comment.update',
      data: { issue: key, commentId, body: 'Called the customer twice' },
    });
    expect(await resultOf(edit)).toMatchObject({ status: 'applied' });
    const read = await stack.jira('GET', `/issue/${key}/comment/${commentId}`);
    expect(JSON.stringify(read.json.body)).toContain('Called the customer twice');
    const remove = await stack.send({ type: 'jira.comment.delete', data: { issue: key, commentId } });
    expect(await resultOf(remove)).toMatchObject({ status: 'applied' });
    expect((await stack.jira('GET', `/issue/${key}/comment/${commentId}`)).status).toBe(404);
  });

  it('maps crm.ticket.update back through the status mapping, and names the reachable statuses when no path leads there', async () => {
    const site = stack.site();
    const other = stack.sim.createIssue(site.cloudId, { fields: { summary: 'Ticket to close' } }).key;
    const close = await stack.send({
      type: 'crm.ticket.update',
      data: { issue: other, status: 'closed', title: 'Closed by CRM' },
    });
    expect(await resultOf(close)).toMatchObject({ status: 'applied', jira: { status: 'Done' } });
    expect((await stack.issue(other)).fields).toMatchObject({
      summary: 'Closed by CRM',
      status: { name: 'Done' },
    });
    const nowhere = await stack.send({
      type: 'jira.issue.transition',
      data: { issue: other, to: 'Nowhere' },
    });
    const failed = await resultOf(nowhere);
    expect(failed).toMatchObject({ status: 'failed' });
    expect(failed.reason).toMatch(/reachable: .*To Do/);
  });

  it('acknowledges and resolves an incident through the lifecycle, and annotates it', async () => {
    const site = stack.site();
    const incident = stack.sim.createIssue(site.cloudId, { fields: { summary: 'Disk full' } }).key;
    const ack = await stack.send({
      type: 'monitoring.incident.acknowledge',
      data: { issue: incident },
      source: 'urn:test:pager',
    });
    expect(await resultOf(ack)).toMatchObject({ status: 'applied' });
    expect((await stack.issue(incident)).fields.status.statusCategory.key).toBe('indeterminate');
    const note = await stack.send({
      type: 'monitoring.incident.annotate',
      data: { issue: incident, body: 'Paged on-call' },
      source: 'urn:test:pager',
    });
    expect(await resultOf(note)).toMatchObject({ status: 'applied' });
    const resolve = await stack.send({
      type: 'monitoring.incident.resolve',
      data: { issue: incident },
      source: 'urn:test:pager',
    });
    expect(await resultOf(resolve)).toMatchObject({ status: 'applied' });
    expect((await stack.issue(incident)).fields.status.statusCategory.key).toBe('done');
  });

  it('applies a repeated command once; the repeat gets `duplicate` with the first outcome', async () => {
    const site = stack.site();
    const before = stack.sim.control.state().sites.find((s) => s.cloudId === site.cloudId)?.issues;
    const spec = {
      type: 'jira.issue.create',
      data: { project: 'OPS', issueType: 'Task', fields: { summary: 'Only once' } },
    };
    const id = await stack.send(spec);
    await stack.send({ ...spec, id });
    const [first, second] = await stack.results(id, 2);
    expect(first?.data).toMatchObject({ status: 'applied' });
    expect(second?.data).toMatchObject({
      status: 'duplicate',
      first: { status: 'applied', issue: first?.data.issue },
    });
    expect(second?.headers.ce_id).not.toBe(first?.headers.ce_id);
    const after = stack.sim.control.state().sites.find((s) => s.cloudId === site.cloudId)?.issues;
    expect(after).toBe((before ?? 0) + 1);
  });

  it('answers `conflict` without writing when the issue changed since ifUpdated', async () => {
    const site = stack.site();
    const issue = stack.sim.createIssue(site.cloudId, { fields: { summary: 'Contested' } });
    const seen = (await stack.issue(issue.key)).fields.updated as string;
    await new Promise((r) => setTimeout(r, 20));
    stack.sim.updateIssue(site.cloudId, issue.key, { fields: { labels: ['vip'] } });
    const id = await stack.send({
      type: 'jira.issue.update',
      data: { issue: issue.key, fields: { summary: 'Overwritten' }, ifUpdated: seen },
    });
    const result = await resultOf(id);
    expect(result).toMatchObject({ status: 'conflict', jira: { changed: ['labels'] } });
    expect((await stack.issue(issue.key)).fields.summary).toBe('Contested');
  });

  it('answers invalid commands and unknown sites, and keeps consuming', async () => {
    const invalid = await stack.send({ type: 'jira.issue.transition', data: { issue: key } });
    expect(await resultOf(invalid)).toMatchObject({
      status: 'invalid',
      reason: expect.stringContaining('data.to'),
    });
    const unknown = await stack.send({
      type: 'jira.comment.create',
      data: { issue: 'OPS-1', body: 'hi' },
      site: 'nowhere.atlassian.net',
    });
    expect(await resultOf(unknown)).toMatchObject({
      status: 'rejected',
      reason: expect.stringContaining('unknown site'),
    });
    const after = await stack.send({ type: 'jira.comment.create', data: { issue: key, body: 'still here' } });
    expect(await resultOf(after)).toMatchObject({ status: 'applied' });
  });
});

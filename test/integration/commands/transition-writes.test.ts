import { describe, expect, it } from 'vitest';
import { transitionIssue } from '../../../src/commands/jira/transition-writes.ts';
import { ORIGIN_PROPERTY_KEY } from '../../../src/commands/jira/write-origin.ts';
import { startWriteStack, type WriteStack } from './write-stack.ts';

const transitionPosts = (w: WriteStack) =>
  w.stack.sim.stats().requests['POST /ex/jira/:cloudId/rest/api/3/issue/:issueIdOrKey/transitions 204'] ?? 0;

async function statusOf(w: WriteStack, key: string): Promise<string> {
  return (await w.read(`issue/${key}`, { fields: 'status' })).fields.status.name;
}

describe('transitionIssue against the simulator’s workflow', () => {
  it('moves the issue to a status named by id, with the marker and history metadata', async () => {
    const w = await startWriteStack();
    const { key } = w.newIssue();
    const origin = w.origin();

    const result = await transitionIssue(w.jira, { issue: key, to: { ids: ['3'] }, origin });
    // One read of status and transitions (1 + the issue), one write.
    expect(w.points('GET', 'issue/:issueIdOrKey')).toBe(2);
    expect(w.points('POST', 'issue/:issueIdOrKey/transitions')).toBe(1);

    expect(result).toEqual({
      transitioned: true,
      transitionId: '21',
      status: { id: '3', name: 'In Progress', category: 'indeterminate' },
    });
    expect(await statusOf(w, key)).toBe('In Progress');
    expect((await w.read(`issue/${key}/properties/${ORIGIN_PROPERTY_KEY}`)).value).toEqual(origin);
    const last = (await w.read(`issue/${key}/changelog`)).values.at(-1);
    expect(last.items[0]).toMatchObject({ field: 'status', fromString: 'To Do', toString: 'In Progress' });
    expect(last.historyMetadata).toMatchObject({
      type: 'jira-relay:command',
      cause: { id: origin.commandId, type: 'command' },
      extraData: origin,
    });
  });

  it('matches a status name ignoring case', async () => {
    const w = await startWriteStack();
    const { key } = w.newIssue();
    const result = await transitionIssue(w.jira, {
      issue: key,
      to: { names: ['in review'] },
      origin: w.origin(),
    });
    expect(result).toMatchObject({ transitioned: true, transitionId: '31' });
    expect(await statusOf(w, key)).toBe('In Review');
  });

  it('falls back to the status category, and prefers a name match over it', async () => {
    const w = await startWriteStack();
    const { key } = w.newIssue();

    const done = await transitionIssue(w.jira, { issue: key, to: { category: 'done' }, origin: w.origin() });
    expect(done).toMatchObject({ transitioned: true, transitionId: '41', status: { name: 'Done' } });

    const review = await transitionIssue(w.jira, {
      issue: key,
      to: { names: ['Nonexistent', 'In Review'], category: 'indeterminate' },
      origin: w.origin(),
    });
    expect(review).toMatchObject({ transitioned: true, status: { name: 'In Review' } });
    expect(await statusOf(w, key)).toBe('In Review');
  });

  it('sets transition screen fields in the same write', async () => {
    const w = await startWriteStack();
    const { key } = w.newIssue();
    await transitionIssue(w.jira, {
      issue: key,
      to: { names: ['Done'] },
      origin: w.origin(),
      fields: { labels: ['closed-by-crm'] },
    });
    const issue = await w.read(`issue/${key}`, { fields: 'status,labels,resolution' });
    expect(issue.fields).toMatchObject({ status: { name: 'Done' }, labels: ['closed-by-crm'] });
    expect(issue.fields.resolution.name).toBe('Done');
  });

  it('does nothing when the issue is already in a matching status', async () => {
    const w = await startWriteStack();
    const { key } = w.newIssue();
    w.stack.sim.transition(w.cloudId, key, 'Done');
    const histories = (await w.read(`issue/${key}/changelog`)).total;

    for (const to of [{ ids: ['10001'] }, { names: ['DONE'] }, { category: 'done' as const }]) {
      const result = await transitionIssue(w.jira, { issue: key, to, origin: w.origin() });
      expect(result).toEqual({
        transitioned: false,
        reason: 'already there',
        status: { id: '10001', name: 'Done', category: 'done' },
      });
    }
    expect(transitionPosts(w)).toBe(0);
    expect((await w.read(`issue/${key}/changelog`)).total).toBe(histories);
  });

  it('names the statuses it can reach when none matches', async () => {
    const w = await startWriteStack();
    const { key } = w.newIssue();

    const result = await transitionIssue(w.jira, {
      issue: key,
      to: { names: ['Blocked'], ids: ['99999'] },
      origin: w.origin(),
    });

    expect(result).toEqual({
      unreachable: true,
      reachable: ['In Progress', 'In Review', 'Done'],
      status: { id: '10000', name: 'To Do', category: 'new' },
    });
    expect(transitionPosts(w)).toBe(0);
    expect(await statusOf(w, key)).toBe('To Do');
  });
});

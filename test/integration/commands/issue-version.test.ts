import { describe, expect, it } from 'vitest';
import { changesSince, readIssueVersion } from '../../../src/commands/jira/issue-version.ts';
import { editIssue } from '../../../src/commands/jira/issue-writes.ts';
import { startWriteStack } from './write-stack.ts';

describe('issue version and changes since a time, against the simulator', () => {
  it('reads the current version and status for 2 points', async () => {
    const w = await startWriteStack();
    const { id, key } = w.newIssue();
    w.stack.sim.transition(w.cloudId, key, 'In Review');

    const version = await readIssueVersion(w.jira, key);

    const issue = await w.read(`issue/${key}`, { fields: 'updated' });
    expect(version).toEqual({
      id,
      key,
      updated: issue.fields.updated,
      status: { id: '10002', name: 'In Review', category: 'indeterminate' },
    });
    expect(w.points('GET', 'issue/:issueIdOrKey')).toBe(2 + 2);
  });

  it('names the fields changed after the version a sender saw', async () => {
    const w = await startWriteStack();
    const { key } = w.newIssue();
    await editIssue(w.jira, { issue: key, fields: { summary: 'Seen' }, origin: w.origin() });
    const seen = (await readIssueVersion(w.jira, key)).updated;
    w.stack.sim.clock.advance(60_000);
    w.stack.sim.updateIssue(w.cloudId, key, { fields: { labels: ['later'] } });
    w.stack.sim.transition(w.cloudId, key, 'Done');

    expect(await changesSince(w.jira, key, seen)).toEqual(['labels', 'status', 'resolution']);
    expect(await changesSince(w.jira, key, new Date(w.stack.sim.clock.now()).toISOString())).toEqual([]);
  });

  it('reads a long changelog from its newest pages only', async () => {
    const w = await startWriteStack();
    const { key } = w.newIssue();
    for (let i = 0; i < 30; i++) w.stack.sim.updateIssue(w.cloudId, key, { fields: { summary: `v${i}` } });
    w.stack.sim.clock.advance(60_000);
    const seen = new Date(w.stack.sim.clock.now()).toISOString();
    w.stack.sim.clock.advance(60_000);
    w.stack.sim.updateIssue(w.cloudId, key, { fields: { labels: ['x'] } });
    w.stack.sim.updateIssue(w.cloudId, key, { fields: { priority: { name: 'Low' } } });
    const before = w.points('GET', 'issue/:issueIdOrKey/changelog');

    const changed = await changesSince(w.jira, key, seen, { pageSize: 5 });

    expect(changed).toEqual(['labels', 'priority']);
    // The one-history probe (2) and the newest page of 5 (6): not the 32 histories.
    expect(w.points('GET', 'issue/:issueIdOrKey/changelog') - before).toBe(2 + 6);
  });

  it('follows older pages back to the time asked for, up to its page cap', async () => {
    const w = await startWriteStack();
    const { key } = w.newIssue();
    const seen = new Date(w.stack.sim.clock.now()).toISOString();
    w.stack.sim.clock.advance(60_000);
    w.stack.sim.updateIssue(w.cloudId, key, { fields: { labels: ['first'] } });
    for (let i = 0; i < 12; i++) w.stack.sim.updateIssue(w.cloudId, key, { fields: { summary: `v${i}` } });

    expect(await changesSince(w.jira, key, seen, { pageSize: 5 })).toEqual(['labels', 'summary']);
    expect(await changesSince(w.jira, key, seen, { pageSize: 5, maxPages: 2 })).toEqual(['summary']);
  });
});

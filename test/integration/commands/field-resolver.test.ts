import { describe, expect, it } from 'vitest';
import { resolveFields } from '../../../src/commands/jira/field-resolver.ts';
import { editIssue } from '../../../src/commands/jira/issue-writes.ts';
import { SiteFieldCache } from '../../../src/commands/jira/site-field-list.ts';
import { fieldDefs } from '../../sim/render/fields.ts';
import { paragraph, startWriteStack, type WriteStack } from './write-stack.ts';

const fieldRequests = (w: WriteStack) =>
  w.stack.sim.stats().requests['GET /ex/jira/:cloudId/rest/api/3/field 200'] ?? 0;

describe('resolveFields against the simulator’s field list', () => {
  it('resolves ids and names (any case) and shapes simple values the way Jira takes them', async () => {
    const w = await startWriteStack();
    const assignee = w.stack.sim.users[1]?.accountId as string;

    const resolved = await resolveFields(
      w.jira,
      {
        Summary: 'New title',
        customer: 'Initech',
        PRIORITY: 'High',
        labels: 'ops',
        description: 'Some details',
        Assignee: assignee,
        'story point estimate': '5',
        components: ['Backend', { id: '10101' }],
      },
      { toAdf: paragraph, fieldLists: new SiteFieldCache() },
    );

    expect(resolved).toEqual({
      fields: {
        summary: 'New title',
        customfield_10010: { value: 'Initech' },
        priority: { name: 'High' },
        labels: ['ops'],
        description: paragraph('Some details'),
        assignee: { accountId: assignee },
        customfield_10016: 5,
        components: [{ name: 'Backend' }, { id: '10101' }],
      },
    });
    // Jira accepts every value as shaped.
    const { key } = w.newIssue();
    if (!('fields' in resolved)) throw new Error('unresolved');
    await editIssue(w.jira, { issue: key, fields: resolved.fields, origin: w.origin() });
    const issue = await w.read(`issue/${key}`, { fields: '*all' });
    expect(issue.fields).toMatchObject({
      summary: 'New title',
      customfield_10010: { value: 'Initech' },
      priority: { name: 'High' },
      labels: ['ops'],
      description: paragraph('Some details'),
      assignee: { accountId: assignee },
      customfield_10016: 5,
      components: [{ name: 'Backend' }, { name: 'Frontend' }],
    });
  });

  it('passes objects and nulls through as given', async () => {
    const w = await startWriteStack();
    const resolved = await resolveFields(
      w.jira,
      { priority: { id: '2' }, Customer: null, description: paragraph('Already ADF') },
      { toAdf: () => 'not called', fieldLists: new SiteFieldCache() },
    );
    expect(resolved).toEqual({
      fields: { priority: { id: '2' }, customfield_10010: null, description: paragraph('Already ADF') },
    });
  });

  it('lists names the site lacks, unknown ids, and keys naming a field already given', async () => {
    const w = await startWriteStack();
    const resolved = await resolveFields(
      w.jira,
      { summary: 'a', Tier: 'gold', customfield_99999: 1, Summary: 'b' },
      { toAdf: paragraph, fieldLists: new SiteFieldCache() },
    );
    expect(resolved).toEqual({ unknown: ['Tier', 'customfield_99999', 'Summary'] });
  });

  it('reads a site’s field list once per cache period, shared by concurrent commands', async () => {
    const w = await startWriteStack();
    let now = 1_000_000;
    const fieldLists = new SiteFieldCache({ ttlMs: 60_000, now: () => now });
    const opts = { toAdf: paragraph, fieldLists };

    await Promise.all([
      resolveFields(w.jira, { Summary: 'a' }, opts),
      resolveFields(w.jira, { Customer: 'Initech' }, opts),
    ]);
    await resolveFields(w.jira, { Labels: 'x' }, opts);
    expect(fieldRequests(w)).toBe(1);
    expect(w.points('GET', 'field')).toBe(1 + fieldDefs.length);

    now += 60_001;
    await resolveFields(w.jira, { Summary: 'a' }, opts);
    expect(fieldRequests(w)).toBe(2);
  });

  it('forgets a failed read, so the next command asks again', async () => {
    const w = await startWriteStack({ env: { JIRA_RETRY_LIMIT: '0' } });
    const opts = { toAdf: paragraph, fieldLists: new SiteFieldCache() };
    w.stack.sim.setFaults({ failNext: [{ path: '/rest/api/3/field', status: 503 }] });

    await expect(resolveFields(w.jira, { Summary: 'a' }, opts)).rejects.toMatchObject({ status: 503 });
    expect(await resolveFields(w.jira, { Summary: 'a' }, opts)).toEqual({ fields: { summary: 'a' } });
  });
});

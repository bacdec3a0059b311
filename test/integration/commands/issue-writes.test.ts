import { describe, expect, it } from 'vitest';
import { readIssueVersion } from '../../../src/commands/jira/issue-version.ts';
import { createIssue, editIssue } from '../../../src/commands/jira/issue-writes.ts';
import { ORIGIN_PROPERTY_KEY } from '../../../src/commands/jira/write-origin.ts';
import { classifyJiraFailure } from '../../../src/commands/jira/write-outcome.ts';
import { waitUntil } from '../../helpers/wait-until.ts';
import { paragraph, startWriteStack, type WriteStack } from './write-stack.ts';

const originMarker = (w: WriteStack, key: string) => w.read(`issue/${key}/properties/${ORIGIN_PROPERTY_KEY}`);

describe('createIssue against the simulator', () => {
  it('creates the issue with its fields and the origin property, costing the one write point', async () => {
    const w = await startWriteStack();
    const origin = w.origin();
    const before = await w.countIssues('CRM');

    const result = await createIssue(w.jira, {
      project: 'CRM',
      issueType: 'Bug',
      fields: { summary: 'Printer on fire', priority: { name: 'High' }, labels: ['ops'] },
      origin,
      mayHaveWritten: false,
    });

    expect(result).toMatchObject({ key: expect.stringMatching(/^CRM-\d+$/), created: true });
    const issue = await w.read(`issue/${result.key}`, {
      fields: 'summary,priority,labels,issuetype,project',
    });
    expect(issue.id).toBe(result.id);
    expect(issue.fields.summary).toBe('Printer on fire');
    expect(issue.fields.priority.name).toBe('High');
    expect(issue.fields.labels).toEqual(['ops']);
    expect(issue.fields.issuetype.name).toBe('Bug');
    expect((await originMarker(w, result.key)).value).toEqual(origin);
    expect(await w.countIssues('CRM')).toBe(before + 1);
    expect(w.points('POST', 'issue')).toBe(1);
  });

  it('takes the project and issue type by id too', async () => {
    const w = await startWriteStack();
    const project = await w.read('project/search');
    const ops = project.values.find((p: { key: string }) => p.key === 'OPS');

    const input = {
      project: ops.id,
      issueType: '10004',
      fields: { summary: 'Disk full' },
      origin: w.origin(),
    };
    const result = await createIssue(w.jira, { ...input, mayHaveWritten: false });

    const issue = await w.read(`issue/${result.key}`, { fields: 'issuetype,project' });
    expect(issue.fields.project.key).toBe('OPS');
    expect(issue.fields.issuetype.name).toBe('Incident');
    // The lookup after a lost answer searches the project by id as well.
    expect(await createIssue(w.jira, { ...input, mayHaveWritten: true })).toEqual({
      ...result,
      created: false,
    });
  });

  it('finds its own earlier issue after a lost answer instead of creating a second one', async () => {
    const w = await startWriteStack();
    const origin = w.origin();
    const input = { project: 'OPS', issueType: 'Task', fields: { summary: 'Only once' }, origin };
    // Another command's issue, created after ours: the lookup must pick by command id, not by recency.
    const first = await createIssue(w.jira, { ...input, mayHaveWritten: false });
    await createIssue(w.jira, { ...input, origin: w.origin(), mayHaveWritten: false });
    const before = await w.countIssues('OPS');

    const again = await createIssue(w.jira, { ...input, mayHaveWritten: true });

    expect(again).toEqual({ id: first.id, key: first.key, created: false });
    expect(await w.countIssues('OPS')).toBe(before);
  });

  it('finds the issue of a create that timed out while Jira went on to make it', async () => {
    const w = await startWriteStack({ env: { JIRA_REQUEST_TIMEOUT_MS: '200' } });
    const before = await w.countIssues('OPS');
    const input = {
      project: 'OPS',
      issueType: 'Task',
      fields: { summary: 'Slow create' },
      origin: w.origin(),
    };
    // The simulator answers late but still acts: the client gives up first (an unknown outcome).
    w.stack.sim.setFaults({ latencyMs: 600 });

    const lost = await createIssue(w.jira, { ...input, mayHaveWritten: false }).catch((err: unknown) => err);
    expect(classifyJiraFailure(lost)).toEqual({ kind: 'retry' });
    w.stack.sim.setFaults({});
    await waitUntil('the late create', async () => (await w.countIssues('OPS')) === before + 1);

    const again = await createIssue(w.jira, { ...input, mayHaveWritten: true });
    expect(again.created).toBe(false);
    expect(await w.countIssues('OPS')).toBe(before + 1);
  });

  it('creates the issue when no earlier attempt reached Jira', async () => {
    const w = await startWriteStack();
    const before = await w.countIssues('OPS');

    const result = await createIssue(w.jira, {
      project: 'OPS',
      issueType: 'Task',
      fields: { summary: 'First attempt lost before Jira' },
      origin: w.origin(),
      mayHaveWritten: true,
    });

    expect(result.created).toBe(true);
    expect(await w.countIssues('OPS')).toBe(before + 1);
    expect(w.points('POST', 'search/jql')).toBeGreaterThanOrEqual(1);
  });

  it('cannot see an issue created within the search lag; a retry after the lag finds it', async () => {
    const lagMs = 30_000;
    const w = await startWriteStack({ sim: { searchLagMs: lagMs } });
    const input = { project: 'WEB', issueType: 'Task', fields: { summary: 'Lagging' }, origin: w.origin() };
    const first = await createIssue(w.jira, { ...input, mayHaveWritten: false });

    w.stack.sim.clock.advance(lagMs + 1000);
    const again = await createIssue(w.jira, { ...input, mayHaveWritten: true });
    expect(again).toEqual({ ...first, created: false });

    // The documented limit: within the lag, the lookup misses the earlier issue and writes again.
    const hurried = { ...input, origin: w.origin() };
    const early = await createIssue(w.jira, { ...hurried, mayHaveWritten: false });
    const missed = await createIssue(w.jira, { ...hurried, mayHaveWritten: true });
    expect(missed.created).toBe(true);
    expect(missed.key).not.toBe(early.key);
  });

  it('looks only as far back as the window it is given', async () => {
    const w = await startWriteStack();
    const input = { project: 'OPS', issueType: 'Task', fields: { summary: 'Long ago' }, origin: w.origin() };
    const first = await createIssue(w.jira, { ...input, mayHaveWritten: false });
    w.stack.sim.clock.advance(20 * 60_000);

    const narrow = await createIssue(w.jira, {
      ...input,
      mayHaveWritten: true,
      lookup: { windowMinutes: 30 },
    });
    expect(narrow).toEqual({ ...first, created: false });
    w.stack.sim.clock.advance(20 * 60_000);
    const wide = await createIssue(w.jira, { ...input, mayHaveWritten: true, lookup: { windowMinutes: 30 } });
    expect(wide.created).toBe(true);
  });
});

describe('editIssue against the simulator', () => {
  it('edits the fields and returns the resulting version, with the marker and history metadata', async () => {
    const w = await startWriteStack();
    const { key } = w.newIssue({ summary: 'Before' });
    const origin = w.origin();

    const result = await editIssue(w.jira, {
      issue: key,
      fields: {
        summary: 'After',
        description: paragraph('Details'),
        customfield_10010: { value: 'Initech' },
      },
      origin,
    });

    const issue = await w.read(`issue/${key}`, { fields: 'summary,description,customfield_10010' });
    expect(issue.fields.summary).toBe('After');
    expect(issue.fields.description).toEqual(paragraph('Details'));
    expect(issue.fields.customfield_10010.value).toBe('Initech');
    expect(result).toEqual({ id: issue.id, key, updated: (await readIssueVersion(w.jira, key)).updated });
    expect((await originMarker(w, key)).value).toEqual(origin);
    const changelog = await w.read(`issue/${key}/changelog`);
    const last = changelog.values.at(-1);
    expect(last.items.map((i: { field: string }) => i.field).sort()).toEqual([
      'Customer',
      'description',
      'summary',
    ]);
    expect(last.historyMetadata).toEqual({
      type: 'jira-relay:command',
      description: 'Applied by jira-relay',
      generator: { id: 'jira-relay', type: 'jira-relay' },
      cause: { id: origin.commandId, type: 'command' },
      extraData: { commandId: origin.commandId, source: origin.source },
    });
  });

  it('is retried by the client after a 503, and a repeat writes no second history', async () => {
    const w = await startWriteStack();
    const { key } = w.newIssue({ summary: 'Before' });
    const input = { issue: key, fields: { summary: 'Same' }, origin: w.origin() };
    w.stack.sim.setFaults({ failNext: [{ method: 'PUT', path: `/issue/${key}`, status: 503 }] });

    const first = await editIssue(w.jira, input);
    const histories = (await w.read(`issue/${key}/changelog`)).total;
    const second = await editIssue(w.jira, input);

    expect(second.updated).toBe(first.updated);
    expect((await w.read(`issue/${key}/changelog`)).total).toBe(histories);
    expect(w.stack.sim.stats().requests['PUT /ex/jira/:cloudId/rest/api/3/issue/:issueIdOrKey 503']).toBe(1);
  });
});

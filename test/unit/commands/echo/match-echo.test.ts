import { describe, expect, it } from 'vitest';
import { matchEcho } from '../../../../src/commands/echo/match-echo.ts';
import type { PendingWrite } from '../../../../src/commands/echo/pending-write.ts';
import { commentChange, issueChange, issueSnapshot } from '../../../helpers/changes.ts';

const t0 = Date.parse('2024-03-01T10:00:00Z');
const write = (over: Partial<PendingWrite>): PendingWrite => ({
  commandId: 'cmd-1',
  source: 'urn:crm',
  connector: 'crm',
  kind: 'issue-edit',
  issueId: '10042',
  fields: ['summary'],
  startedAt: t0,
  ...over,
});
const summaryItem = {
  field: 'summary',
  fieldId: 'summary',
  from: null,
  fromString: 'a',
  to: null,
  toString: 'b',
};
const labelsItem = {
  field: 'labels',
  fieldId: 'labels',
  from: null,
  fromString: '',
  to: null,
  toString: 'vip',
};

describe('matchEcho: which change a command’s write caused', () => {
  it('takes exactly the version Jira answered with, and no later one', () => {
    const w = write({ resultVersion: t0 + 500 });
    expect(matchEcho(issueChange({ version: t0 + 500, changelog: [summaryItem] }), [w], null)).toBe(w);
    expect(matchEcho(issueChange({ version: t0 + 900, changelog: [summaryItem] }), [w], null)).toBeNull();
  });

  it('while the write is in flight, takes a change touching only the written fields, after its start', () => {
    const w = write({});
    expect(matchEcho(issueChange({ version: t0 + 100, changelog: [summaryItem] }), [w], null)).toBe(w);
    expect(
      matchEcho(issueChange({ version: t0 + 100, changelog: [summaryItem, labelsItem] }), [w], null),
    ).toBeNull();
    expect(matchEcho(issueChange({ version: t0 - 60_000, changelog: [summaryItem] }), [w], null)).toBeNull();
  });

  it('compares a polled change with the last committed snapshot when it has no changelog', () => {
    const w = write({});
    const before = issueSnapshot({ summary: 'a' });
    const polled = (over: Parameters<typeof issueSnapshot>[0]) =>
      issueChange({ source: 'poll', version: t0 + 100, issue: issueSnapshot(over) });
    expect(matchEcho(polled({ summary: 'b' }), [w], before)).toBe(w);
    expect(matchEcho(polled({ summary: 'b', labels: ['vip'] }), [w], before)).toBeNull();
    expect(matchEcho(polled({ summary: 'b' }), [w], null)).toBeNull();
  });

  it('knows a created issue by its id, or by project and summary before Jira answered', () => {
    const known = write({ kind: 'issue-create', issueId: '10042' });
    const pending = write({
      kind: 'issue-create',
      issueId: null,
      projectKey: 'OPS',
      summary: 'Checkout is down',
    });
    const created = issueChange({ kind: 'created', version: t0 + 100 });
    expect(matchEcho(created, [known], null)).toBe(known);
    expect(matchEcho(created, [pending], null)).toBe(pending);
    expect(matchEcho(created, [{ ...pending, summary: 'Other' }], null)).toBeNull();
  });

  it('knows a comment by its id, or by its text before Jira answered; a deletion by its id', () => {
    const byId = write({ kind: 'comment-create', commentId: '20001', fields: [] });
    const byText = write({ kind: 'comment-create', bodyText: 'Called  the customer', fields: [] });
    const change = commentChange({ version: t0 + 100 });
    const body = change.comment.body;
    expect(matchEcho({ ...change, comment: { ...change.comment, id: '20001' } }, [byId], null)).toBe(byId);
    expect(
      matchEcho({ ...change, comment: { ...change.comment, body: 'Called the customer' } }, [byText], null),
    ).toBe(byText);
    expect(
      matchEcho({ ...change, comment: { ...change.comment, body: `${body} (edited)` } }, [byText], null),
    ).toBeNull();
    const gone = write({ kind: 'comment-delete', commentId: '20001', fields: [] });
    const deleted = commentChange({ kind: 'deleted', version: t0 + 100 });
    expect(matchEcho({ ...deleted, comment: { ...deleted.comment, id: '20001' } }, [gone], null)).toBe(gone);
  });

  it('takes the issue update a comment write causes (no field changed) as its echo, not a field edit', () => {
    const w = write({ kind: 'comment-create', commentId: '20001', fields: [], doneAt: t0 + 200 });
    expect(matchEcho(issueChange({ version: t0 + 150, changelog: [] }), [w], null)).toBe(w);
    expect(matchEcho(issueChange({ version: t0 + 150, changelog: [labelsItem] }), [w], null)).toBeNull();
    expect(matchEcho(issueChange({ version: t0 + 60_000, changelog: [] }), [w], null)).toBeNull();
  });

  it('gives each of two systems’ comments, seconds apart, its own issue update when Jira told their versions', () => {
    const crm = write({
      kind: 'comment-create',
      commentId: '20001',
      fields: [],
      resultVersion: t0 + 100,
      doneAt: t0 + 120,
    });
    const pager = write({
      commandId: 'cmd-2',
      source: 'urn:pager',
      connector: 'monitoring',
      kind: 'comment-create',
      commentId: '20002',
      fields: [],
      startedAt: t0 + 900,
      resultVersion: t0 + 1000,
      doneAt: t0 + 1020,
    });
    expect(matchEcho(issueChange({ version: t0 + 1000, changelog: [] }), [crm, pager], null)).toBe(pager);
    expect(matchEcho(issueChange({ version: t0 + 100, changelog: [] }), [crm, pager], null)).toBe(crm);
    expect(matchEcho(issueChange({ version: t0 + 2000, changelog: [] }), [crm, pager], null)).toBeNull();
  });

  it('never takes a deletion of an issue for an echo', () => {
    expect(matchEcho(issueChange({ kind: 'deleted', version: t0 + 100 }), [write({})], null)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import type { JiraComment } from '../../../src/atlassian/jira/jira-reads.ts';
import type { JiraIssue } from '../../../src/atlassian/jira/jira-search.ts';
import {
  commentChangesOf,
  embeddedComments,
  issueChangeOf,
  type SyncStamp,
  syncedIssue,
} from '../../../src/normalize/polled-changes.ts';

const stamp: SyncStamp = {
  site: { host: 'acme.atlassian.net', cloudId: 'cloud-1' },
  source: 'poll',
  observedAt: Date.parse('2024-03-02T00:00:00Z'),
  markdown: false,
};

function restIssue(updated: string, comments: JiraComment[] = [], total = comments.length): JiraIssue {
  return {
    id: '10042',
    key: 'OPS-7',
    fields: {
      summary: 'Checkout is down',
      project: { id: '100', key: 'OPS' },
      issuetype: { name: 'Incident' },
      status: { name: 'To Do', statusCategory: { key: 'new' } },
      created: '2024-03-01T09:00:00.000+1000',
      updated,
      comment: { comments, total, maxResults: comments.length, startAt: 0 },
    },
  };
}

function comment(id: string, updated: string): JiraComment {
  const body = {
    type: 'doc',
    version: 1,
    content: [{ type: 'paragraph', content: [{ type: 'text', text: id }] }],
  };
  return { id, body, created: '2024-03-01T09:00:00.000+0000', updated };
}

describe('polled issues and comments as changes', () => {
  it('versions an issue by the epoch ms of its updated, whatever zone Jira wrote it in', () => {
    const issue = syncedIssue(restIssue('2024-03-01T20:00:00.000+1000'), stamp);
    expect(issue?.version).toBe(Date.parse('2024-03-01T10:00:00Z'));
    expect(syncedIssue(restIssue('2024-03-01T02:00:00.000-0800'), stamp)?.version).toBe(
      Date.parse('2024-03-01T10:00:00Z'),
    );
  });

  it('skips a version already queued, and tells a move from an update by the key it had', () => {
    const issue = syncedIssue(restIssue('2024-03-01T10:00:00.000+0000'), stamp);
    if (!issue) throw new Error('no issue');
    expect(issueChangeOf(issue, { version: issue.version, key: 'OPS-7' }, stamp)).toBeUndefined();
    expect(issueChangeOf(issue, { version: 1, key: 'OPS-7' }, stamp)?.kind).toBe('updated');
    expect(issueChangeOf(issue, { version: 1, key: 'WEB-3' }, stamp)).toMatchObject({
      kind: 'moved',
      previousKey: 'WEB-3',
    });
  });

  it('treats an issue known only through its comments as not yet published', () => {
    // Never updated since its creation, and known from a comment webhook (version 0) that named no
    // key: a creation, not a move from a "key" that was only its id.
    const issue = syncedIssue(restIssue('2024-03-01T09:00:00.000+1000'), stamp);
    if (!issue) throw new Error('no issue');
    const change = issueChangeOf(issue, { version: 0, key: '10042' }, stamp);
    expect(change).toMatchObject({ kind: 'created', issue: { key: 'OPS-7' } });
    expect(change).not.toHaveProperty('previousKey');
  });

  it('knows when the embedded comments are only the first 20', () => {
    const twenty = Array.from({ length: 20 }, (_, i) => comment(String(i), '2024-03-01T10:00:00.000+0000'));
    expect(embeddedComments(restIssue('2024-03-01T10:00:00.000+0000', twenty, 250))?.complete).toBe(false);
    expect(embeddedComments(restIssue('2024-03-01T10:00:00.000+0000', twenty))?.complete).toBe(true);
  });

  it('finds new and edited comments by id and updated, and turns a vanished one into a deletion', () => {
    const issue = syncedIssue(restIssue('2024-03-01T12:00:00.000+0000'), stamp);
    if (!issue) throw new Error('no issue');
    const known = new Map([
      ['1', Date.parse('2024-03-01T10:00:00Z')],
      ['2', Date.parse('2024-03-01T10:00:00Z')],
      ['3', Date.parse('2024-03-01T10:00:00Z')],
    ]);
    const now = [
      comment('1', '2024-03-01T10:00:00.000+0000'),
      comment('2', '2024-03-01T11:30:00.000+0000'),
      comment('4', '2024-03-01T11:45:00.000+0000'),
    ];
    const { changes, versions } = commentChangesOf(issue, now, known, stamp);
    expect(changes.map((c) => [c.comment.id, c.kind, c.version])).toEqual([
      ['2', 'updated', Date.parse('2024-03-01T11:30:00Z')],
      ['4', 'created', Date.parse('2024-03-01T11:45:00Z')],
      ['3', 'deleted', issue.version],
    ]);
    expect(changes[0]?.comment.body).toBe('2');
    expect(changes[0]?.issue).toMatchObject({ id: '10042', key: 'OPS-7', projectKey: 'OPS' });
    expect([...versions.keys()]).toEqual(['1', '2', '4']);
  });
});

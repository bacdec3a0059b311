import { describe, expect, it } from 'vitest';
import type { CommentChange, IssueChange } from '../../../connectors/jira-change.ts';
import { changesFromWebhook, type DeliveryContext } from '../../../src/normalize/webhook-changes.ts';
import { realWebhookBody } from '../../helpers/jira-webhook.ts';

const ctx: DeliveryContext = {
  site: { host: 'some-instance-test.atlassian.net', cloudId: 'c1' },
  receivedAt: 1_700_000_000_000,
  markdown: false,
};

function only(body: Record<string, unknown>, context: DeliveryContext = ctx) {
  const outcome = changesFromWebhook(body, context);
  if (outcome.kind !== 'changes') throw new Error(`skipped: ${outcome.reason}`);
  expect(outcome.changes).toHaveLength(1);
  const [change] = outcome.changes;
  if (!change) throw new Error('no change');
  return change;
}

const site = 'https://acme.atlassian.net';
function issueBody(event: string, fields: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return {
    timestamp: 1_700_000_123_456,
    webhookEvent: event,
    issue: {
      id: '10042',
      key: 'OPS-7',
      self: `${site}/rest/api/2/issue/10042`,
      fields: {
        summary: 'Checkout is down',
        project: { id: '100', key: 'OPS', name: 'Operations' },
        issuetype: { id: '1', name: 'Incident' },
        status: { id: '3', name: 'In Progress', statusCategory: { key: 'indeterminate' } },
        priority: { id: '1', name: 'Highest' },
        updated: '2024-03-01T10:00:00.000+0000',
        created: '2024-03-01T09:00:00.000+0000',
        ...fields,
      },
    },
    ...extra,
  };
}

describe('changesFromWebhook: issues', () => {
  it('maps the real issue_created body, text from wiki markup, version from fields.updated', () => {
    const change = only(realWebhookBody('issue_created')) as IssueChange;
    expect(change).toMatchObject({ entity: 'issue', kind: 'created', source: 'webhook', site: ctx.site });
    expect(change.issue).toMatchObject({
      id: '10040',
      key: 'TES-41',
      project: { key: 'TES' },
      issueType: { name: 'Story' },
      status: { name: 'To Do', category: 'new' },
      priority: { name: 'High' },
      labels: ['test-label'],
      components: ['COMP-1'],
    });
    expect(change.version).toBe(Date.parse('2019-02-15T19:01:52.971-08:00'));
    expect(change.observedAt).toBe(ctx.receivedAt);
  });

  it('maps the real status transition with its changelog items', () => {
    const change = only(realWebhookBody('issue_updated')) as IssueChange;
    expect(change.kind).toBe('updated');
    const status = change.changelog.find((i) => i.field === 'status');
    expect(status).toMatchObject({ fromString: 'To Do', toString: 'In Progress' });
    expect(change.issue.status.category).toBe('indeterminate');
  });

  it('versions a deletion by the delivery timestamp, which always differs from the last update', () => {
    const change = only(issueBody('jira:issue_deleted')) as IssueChange;
    expect(change.kind).toBe('deleted');
    expect(change.version).toBe(1_700_000_123_456);
  });

  it('falls back to the receipt time for a deletion without a timestamp', () => {
    const { timestamp: _t, ...body } = issueBody('jira:issue_deleted');
    expect(only(body).version).toBe(ctx.receivedAt);
  });

  it('uses the delivery timestamp only when the issue has no updated', () => {
    const body = issueBody('jira:issue_updated', { updated: undefined, created: undefined });
    expect(only(body).version).toBe(1_700_000_123_456);
  });

  it('recognizes a move by its Key changelog item and keeps the id', () => {
    const body = issueBody(
      'jira:issue_updated',
      { project: { id: '200', key: 'NEW' } },
      {
        issue_event_type_name: 'issue_moved',
        changelog: {
          items: [
            { field: 'Key', fieldtype: 'jira', from: null, fromString: 'OPS-7', to: null, toString: 'NEW-1' },
            {
              field: 'project',
              fieldtype: 'jira',
              fieldId: 'project',
              from: '100',
              fromString: 'Operations',
              to: '200',
              toString: 'New',
            },
          ],
        },
      },
    );
    (body.issue as { key: string }).key = 'NEW-1';
    const change = only(body) as IssueChange;
    expect(change).toMatchObject({
      kind: 'moved',
      previousKey: 'OPS-7',
      issue: { id: '10042', key: 'NEW-1', project: { key: 'NEW' } },
    });
  });

  it('keeps an empty changelog empty (issue_assigned can carry no items)', () => {
    const change = only(
      issueBody('jira:issue_updated', {}, { changelog: { id: 1, items: [] } }),
    ) as IssueChange;
    expect(change.changelog).toEqual([]);
  });

  it('makes custom fields plain: text, options, cascades, users, lists, ADF', () => {
    const change = only(
      issueBody('jira:issue_updated', {
        customfield_10050: { value: 'Acme Corp', id: '1' },
        customfield_10051: { value: 'EU', child: { value: 'Berlin' } },
        customfield_10052: [{ value: 'a' }, { value: 'b' }],
        customfield_10053: { accountId: 'u-1', displayName: 'Ann' },
        customfield_10054: '*bold* note',
        customfield_10055: {
          type: 'doc',
          version: 1,
          content: [{ type: 'paragraph', content: [{ type: 'text', text: 'adf text' }] }],
        },
        customfield_10056: 42,
        customfield_10057: null,
      }),
    ) as IssueChange;
    expect(change.issue.customFields).toEqual({
      customfield_10050: 'Acme Corp',
      customfield_10051: 'EU / Berlin',
      customfield_10052: ['a', 'b'],
      customfield_10053: { accountId: 'u-1', displayName: 'Ann' },
      customfield_10054: 'bold note',
      customfield_10055: 'adf text',
      customfield_10056: 42,
    });
  });

  it('reads ADF descriptions (REST v3) as well as wiki strings, with Markdown on request', () => {
    const adf = {
      type: 'doc',
      version: 1,
      content: [{ type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Impact' }] }],
    };
    const change = only(issueBody('jira:issue_updated', { description: adf }), {
      ...ctx,
      markdown: true,
    }) as IssueChange;
    expect(change.issue.description).toBe('Impact');
    expect(change.issue.descriptionMarkdown).toBe('## Impact');
  });

  it('resolves wiki mentions to display names of users in the payload', () => {
    const body = issueBody('jira:issue_updated', {
      description: 'ping [~accountid:u-9]',
      assignee: { accountId: 'u-9', displayName: 'Grace Hopper' },
    });
    expect((only(body) as IssueChange).issue.description).toBe('ping @Grace Hopper');
  });

  it('ignores unknown extra keys and legacy users without accountId', () => {
    const body = issueBody(
      'jira:issue_updated',
      { reporter: { name: 'admin', key: 'admin', displayName: 'Admin' } },
      { surprise: { nested: true }, bulkOperationMetaData: {} },
    );
    expect((only(body) as IssueChange).issue.reporter).toEqual({ accountId: 'admin', displayName: 'Admin' });
  });

  it('skips an issue event without id or key', () => {
    expect(changesFromWebhook({ webhookEvent: 'jira:issue_created', issue: { self: site } }, ctx)).toEqual({
      kind: 'skip',
      reason: 'issue without id or key',
    });
  });
});

describe('changesFromWebhook: comments', () => {
  it('maps the real comment_created body with its trimmed issue', () => {
    const change = only(realWebhookBody('comment_created')) as CommentChange;
    expect(change).toMatchObject({
      entity: 'comment',
      kind: 'created',
      issue: { id: '10040', key: 'TES-41', projectKey: 'TES', issueType: 'Story' },
      comment: {
        id: '10019',
        issueId: '10040',
        body: 'Added a comment',
        public: true,
        author: { displayName: 'Test User' },
      },
    });
  });

  const comment = (extra: Record<string, unknown> = {}) => ({
    id: '501',
    self: `${site}/rest/api/2/issue/10042/comment/501`,
    author: { accountId: 'u-1', displayName: 'Ann' },
    body: 'Restarted {{checkout}}',
    created: '2024-03-01T10:05:00.000+0000',
    updated: '2024-03-01T10:06:00.000+0000',
    ...extra,
  });

  it('versions a comment by its own updated', () => {
    const change = only({
      webhookEvent: 'comment_updated',
      timestamp: 5,
      comment: comment(),
      issue: { id: '10042', key: 'OPS-7', self: `${site}/rest/api/2/10042` },
    });
    expect(change).toMatchObject({ kind: 'updated', version: Date.parse('2024-03-01T10:06:00Z') });
    expect((change as CommentChange).comment.body).toBe('Restarted checkout');
  });

  it('versions a deleted comment by the delivery time', () => {
    const change = only({
      webhookEvent: 'comment_deleted',
      timestamp: 1_700_000_999_000,
      comment: comment(),
      issue: { id: '10042', key: 'OPS-7' },
    });
    expect(change).toMatchObject({ kind: 'deleted', version: 1_700_000_999_000 });
  });

  it.each([
    ['jsdPublic false', { jsdPublic: false }],
    ['a visibility restriction', { visibility: { type: 'role', value: 'Administrators' } }],
  ])('marks a comment with %s as internal', (_name, extra) => {
    const change = only({
      webhookEvent: 'comment_created',
      comment: comment(extra),
      issue: { id: '10042', key: 'OPS-7' },
    });
    expect((change as CommentChange).comment.public).toBe(false);
  });

  it('reads jira:issue_updated with issue_comment_deleted as the issue update and the comment deletion', () => {
    const body = issueBody(
      'jira:issue_updated',
      { updated: '2024-03-01T10:07:00.000+0000' },
      { issue_event_type_name: 'issue_comment_deleted', comment: comment() },
    );
    const outcome = changesFromWebhook(body, ctx);
    if (outcome.kind !== 'changes') throw new Error(outcome.reason);
    expect(outcome.changes).toMatchObject([
      { entity: 'issue', kind: 'updated', version: Date.parse('2024-03-01T10:07:00Z') },
      {
        entity: 'comment',
        kind: 'deleted',
        comment: { id: '501', issueId: '10042' },
        issue: { id: '10042', key: 'OPS-7', projectKey: 'OPS' },
        // Versioned like comment_deleted's delivery: the same deletion by either event.
        version: 1_700_000_123_456,
        source: 'webhook',
      },
    ]);
  });

  it('keeps other comment-raised issue events (issue_commented) to the issue update alone', () => {
    const body = issueBody(
      'jira:issue_updated',
      {},
      { issue_event_type_name: 'issue_commented', comment: comment() },
    );
    expect(only(body)).toMatchObject({ entity: 'issue', kind: 'updated' });
  });

  it('finds the issue from comment.self when the event carries no issue', () => {
    const change = only({ webhookEvent: 'comment_created', comment: comment() });
    expect((change as CommentChange).issue.id).toBe('10042');
  });

  it('skips a comment without id, and unknown events', () => {
    expect(
      changesFromWebhook(
        { webhookEvent: 'comment_created', comment: {}, issue: { id: '1', key: 'A-1' } },
        ctx,
      ).kind,
    ).toBe('skip');
    expect(changesFromWebhook({ webhookEvent: 'worklog_updated' }, ctx)).toEqual({
      kind: 'skip',
      reason: 'unhandled event worklog_updated',
    });
  });
});

describe('changesFromWebhook: ids that would become parts of Redis keys', () => {
  it.each([
    ['an issue id that is not digits', { id: '10042:published:x', key: 'OPS-7' }],
    ['an issue key that is not a key', { id: '10042', key: 'OPS-7|x' }],
    ['an issue id with a path in it', { id: '../10042', key: 'OPS-7' }],
  ])('skips %s instead of trusting it', (_what, ids) => {
    const body = issueBody('jira:issue_updated');
    const outcome = changesFromWebhook({ ...body, issue: { ...body.issue, ...ids } }, ctx);
    expect(outcome).toEqual({ kind: 'skip', reason: 'issue without id or key' });
  });

  it('skips a comment whose id is not digits', () => {
    const body = realWebhookBody('comment_created');
    const comment = { ...(body.comment as Record<string, unknown>), id: '1 2' };
    const outcome = changesFromWebhook({ ...body, comment }, ctx);
    expect(outcome.kind).toBe('skip');
  });
});

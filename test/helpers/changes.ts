import type { CommentChange, IssueChange, IssueSnapshot } from '../../connectors/jira-change.ts';

/** An issue snapshot with sensible defaults; override what the test is about. */
export function issueSnapshot(overrides: Partial<IssueSnapshot> = {}): IssueSnapshot {
  return {
    id: '10042',
    key: 'OPS-7',
    project: { id: '100', key: 'OPS', name: 'Operations' },
    issueType: { id: '1', name: 'Incident' },
    summary: 'Checkout is down',
    description: 'Customers cannot pay.',
    status: { id: '1', name: 'To Do', category: 'new' },
    priority: { id: '2', name: 'High' },
    assignee: null,
    reporter: { accountId: 'u-1', displayName: 'Ann' },
    labels: [],
    components: [],
    customFields: {},
    created: '2024-03-01T09:00:00.000+0000',
    updated: '2024-03-01T10:00:00.000+0000',
    ...overrides,
  };
}

export function issueChange(overrides: Partial<IssueChange> = {}): IssueChange {
  return {
    entity: 'issue',
    kind: 'updated',
    site: { host: 'acme.atlassian.net', cloudId: 'cloud-1' },
    issue: issueSnapshot(),
    changelog: [],
    version: Date.parse('2024-03-01T10:00:00Z'),
    source: 'webhook',
    observedAt: Date.parse('2024-03-01T10:00:01Z'),
    ...overrides,
  };
}

export function commentChange(overrides: Partial<CommentChange> = {}): CommentChange {
  return {
    entity: 'comment',
    kind: 'created',
    site: { host: 'acme.atlassian.net', cloudId: 'cloud-1' },
    issue: { id: '10042', key: 'OPS-7' },
    comment: {
      id: '501',
      issueId: '10042',
      author: { accountId: 'u-1', displayName: 'Ann' },
      body: 'Restarted checkout',
      public: true,
      created: '2024-03-01T10:05:00.000+0000',
      updated: '2024-03-01T10:05:00.000+0000',
    },
    version: Date.parse('2024-03-01T10:05:00Z'),
    source: 'webhook',
    observedAt: Date.parse('2024-03-01T10:05:01Z'),
    ...overrides,
  };
}

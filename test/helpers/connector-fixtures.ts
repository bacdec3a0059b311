import type { ResolvedMapping } from '../../connectors/config/resolve-field-names.ts';
import type { CommentChange, IssueChange, IssueSnapshot } from '../../connectors/jira-change.ts';

/** Builders of normalized changes for connector tests: a realistic default plus overrides. */
const site = { host: 'acme.atlassian.net', cloudId: '11111111-2222-3333-4444-555555555555' };

export function issue(overrides: Partial<IssueSnapshot> = {}): IssueSnapshot {
  return {
    id: '10042',
    key: 'OPS-7',
    project: { id: '10000', key: 'OPS', name: 'Operations' },
    issueType: { id: '10004', name: 'Incident' },
    summary: 'Checkout returns 502',
    description: 'Customers see a 502 on checkout.',
    status: { id: '10001', name: 'To Do', category: 'new' },
    priority: { id: '2', name: 'High' },
    assignee: { accountId: 'acc-ann', displayName: 'Ann Ops' },
    reporter: { accountId: 'acc-bob', displayName: 'Bob Support', emailAddress: 'bob@example.com' },
    labels: ['customer', 'p1'],
    components: ['payments', 'web'],
    customFields: {
      customfield_10050: 'Globex Corp',
      customfield_10051: { value: 'EMEA' },
      customfield_10052: null,
    },
    created: '2024-03-01T09:00:00.000+0000',
    updated: '2024-03-01T10:30:00.000+0100',
    ...overrides,
  };
}

export const t0 = Date.parse('2024-03-01T09:30:00.000Z');

export function issueChange(overrides: Partial<IssueChange> = {}): IssueChange {
  return {
    entity: 'issue',
    kind: 'updated',
    site,
    version: t0,
    source: 'webhook',
    observedAt: t0 + 120,
    issue: issue(),
    changelog: [],
    ...overrides,
  } as IssueChange;
}

export function commentChange(overrides: Partial<CommentChange> = {}): CommentChange {
  return {
    entity: 'comment',
    kind: 'created',
    site,
    version: t0 + 5000,
    source: 'webhook',
    observedAt: t0 + 5100,
    comment: {
      id: '20001',
      issueId: '10042',
      author: { accountId: 'acc-ann', displayName: 'Ann Ops' },
      body: 'Rolled back the deploy.\nWatching errors.',
      public: true,
      created: '2024-03-01T09:30:05.000+0000',
      updated: '2024-03-01T09:30:05.000+0000',
    },
    issue: { id: '10042', key: 'OPS-7', summary: 'Checkout returns 502', projectKey: 'OPS' },
    ...overrides,
  } as CommentChange;
}

export function mapping(overrides: Partial<ResolvedMapping> = {}): ResolvedMapping {
  return {
    topic: 'jira.test.events',
    filter: { projects: new Set(), issueTypes: new Set(), labels: new Set() },
    fields: {},
    statuses: new Map(),
    severities: new Map([
      ['highest', 'critical'],
      ['high', 'error'],
      ['medium', 'warning'],
      ['low', 'info'],
    ]),
    defaultSeverity: 'warning',
    ...overrides,
  };
}

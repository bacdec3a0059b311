import { describe, expect, it } from 'vitest';
import { renderFieldValue, timeTrackingFrom } from '../../../src/normalize/field-render.ts';

const opts = { markdown: false, mentions: new Map([['u-9', 'Grace Hopper']]) };
const v2 = 'https://acme.atlassian.net/rest/api/2';
const v3 = 'https://api.atlassian.com/ex/jira/cloud-1/rest/api/3';
const adf = (...content: unknown[]) => ({
  type: 'doc',
  version: 1,
  content: [{ type: 'paragraph', content }],
});

/** The same value as a webhook body (REST v2) and an API read (REST v3) carry it. */
interface Pair {
  readonly field: string;
  readonly webhook: unknown;
  readonly api: unknown;
  readonly rendered: unknown;
}

const issueRef = (base: string) => ({
  id: '10001',
  key: 'OPS-2',
  self: `${base}/issue/10001`,
  fields: { summary: 'Parent work', status: { self: `${base}/status/3`, name: 'In Progress', id: '3' } },
});

const pairs: Pair[] = [
  {
    field: 'duedate',
    webhook: '2024-05-01',
    api: '2024-05-01',
    rendered: '2024-05-01',
  },
  {
    // Jira writes times in the zone of whoever it writes for: the webhook's actor, the API's reader.
    field: 'resolutiondate',
    webhook: '2024-05-01T10:00:00.000+0200',
    api: '2024-05-01T17:00:00.000+0900',
    rendered: '2024-05-01T08:00:00.000Z',
  },
  {
    // Webhook users carry no e-mail address (and legacy ones name and key); API users do.
    field: 'creator',
    webhook: {
      self: `${v2}/user?accountId=u-1`,
      accountId: 'u-1',
      displayName: 'Ann',
      name: 'ann',
      key: 'ann',
    },
    api: {
      self: `${v3}/user?accountId=u-1`,
      accountId: 'u-1',
      displayName: 'Ann',
      emailAddress: 'ann@example.com',
    },
    rendered: { accountId: 'u-1', displayName: 'Ann' },
  },
  {
    field: 'resolution',
    webhook: { self: `${v2}/resolution/10000`, id: '10000', name: 'Done', description: 'Completed.' },
    api: { self: `${v3}/resolution/10000`, id: '10000', name: 'Done', description: 'Completed.' },
    rendered: 'Done',
  },
  {
    field: 'fixVersions',
    webhook: [{ self: `${v2}/version/1`, id: '1', name: '2.0', released: false, archived: false }],
    api: [{ self: `${v3}/version/1`, id: '1', name: '2.0', released: false, archived: false }],
    rendered: ['2.0'],
  },
  {
    field: 'versions',
    webhook: [],
    api: [],
    rendered: [],
  },
  {
    field: 'security',
    webhook: { self: `${v2}/securitylevel/1`, id: '1', name: 'Staff only', description: '' },
    api: { self: `${v3}/securitylevel/1`, id: '1', name: 'Staff only', description: '' },
    rendered: 'Staff only',
  },
  {
    field: 'parent',
    webhook: issueRef(v2),
    api: issueRef(v3),
    rendered: 'OPS-2',
  },
  {
    field: 'subtasks',
    webhook: [issueRef(v2)],
    api: [issueRef(v3)],
    rendered: ['OPS-2'],
  },
  {
    field: 'issuelinks',
    webhook: [
      {
        id: '1',
        self: `${v2}/issueLink/1`,
        type: { id: '10000', name: 'Blocks', inward: 'is blocked by', outward: 'blocks' },
        inwardIssue: issueRef(v2),
      },
    ],
    api: [
      {
        id: '1',
        self: `${v3}/issueLink/1`,
        type: { id: '10000', name: 'Blocks', inward: 'is blocked by', outward: 'blocks' },
        inwardIssue: issueRef(v3),
      },
    ],
    rendered: [{ type: 'Blocks', relation: 'is blocked by', key: 'OPS-2' }],
  },
  {
    // isWatching and hasVoted are the reader's own: left out.
    field: 'watches',
    webhook: { self: `${v2}/issue/OPS-1/watchers`, watchCount: 3, isWatching: true },
    api: { self: `${v3}/issue/OPS-1/watchers`, watchCount: 3, isWatching: false },
    rendered: 3,
  },
  {
    field: 'votes',
    webhook: { self: `${v2}/issue/OPS-1/votes`, votes: 2, hasVoted: true },
    api: { self: `${v3}/issue/OPS-1/votes`, votes: 2, hasVoted: false },
    rendered: 2,
  },
  {
    // Wiki markup in webhooks, ADF from the API; mentions resolve to display names either way.
    field: 'environment',
    webhook: '*Production* for [~accountid:u-9]',
    api: adf(
      { type: 'text', text: 'Production', marks: [{ type: 'strong' }] },
      { type: 'text', text: ' for ' },
      { type: 'mention', attrs: { id: 'u-9', text: '@Grace Hopper' } },
    ),
    rendered: 'Production for @Grace Hopper',
  },
  {
    field: 'attachment',
    webhook: [{ self: `${v2}/attachment/1`, filename: 'trace.log', content: `${v2}/attachment/content/1` }],
    api: [{ self: `${v3}/attachment/1`, filename: 'trace.log', content: `${v3}/attachment/content/1` }],
    rendered: ['trace.log'],
  },
  { field: 'timespent', webhook: 3600, api: 3600, rendered: 3600 },
  { field: 'labels', webhook: ['a*b*', 'ops'], api: ['a*b*', 'ops'], rendered: ['a*b*', 'ops'] },
  {
    field: 'summary',
    webhook: 'Fix *all* the -things-',
    api: 'Fix *all* the -things-',
    rendered: 'Fix *all* the -things-',
  },
];

describe('built-in fields, rendered by type', () => {
  it.each(pairs.map((p) => [p.field, p] as const))(
    '%s: the webhook and the API give the same value',
    (_, p) => {
      expect(renderFieldValue(p.field, p.webhook, opts)).toEqual(p.rendered);
      expect(renderFieldValue(p.field, p.api, opts)).toEqual(p.rendered);
    },
  );

  it('renders a field without a value as null', () => {
    for (const field of [
      'duedate',
      'resolution',
      'parent',
      'security',
      'environment',
      'creator',
      'timespent',
    ])
      expect(renderFieldValue(field, null, opts), field).toBeNull();
  });
});

describe('time tracking', () => {
  const seconds = {
    originalEstimateSeconds: 28800,
    remainingEstimateSeconds: 14400,
    timeSpentSeconds: 14400,
  };

  it('reads the webhook’s empty timetracking from its time fields, as the API fills it', () => {
    const webhook = { timetracking: {}, timeoriginalestimate: 28800, timeestimate: 14400, timespent: 14400 };
    const api = {
      timetracking: {
        originalEstimate: '1d',
        remainingEstimate: '4h',
        timeSpent: '4h',
        ...seconds,
      },
    };
    expect(timeTrackingFrom(webhook)).toEqual(seconds);
    expect(timeTrackingFrom(api)).toEqual(seconds);
  });

  it('keeps what is set and gives null when nothing is', () => {
    expect(timeTrackingFrom({ timetracking: { originalEstimateSeconds: 3600 } })).toEqual({
      originalEstimateSeconds: 3600,
      remainingEstimateSeconds: null,
      timeSpentSeconds: null,
    });
    expect(timeTrackingFrom({ timetracking: {}, timespent: null })).toBeNull();
  });
});

describe('custom fields, rendered by shape (webhooks carry no schema)', () => {
  it.each([
    ['a select option', { self: `${v2}/customFieldOption/1`, value: 'Gold', id: '1' }, 'Gold'],
    ['a cascading select', { value: 'EU', id: '1', child: { value: 'Berlin', id: '2' } }, 'EU / Berlin'],
    ['a multi select', [{ value: 'a' }, { value: 'b' }], ['a', 'b']],
    [
      'a user picker',
      { accountId: 'u-1', displayName: 'Ann', emailAddress: 'a@x' },
      { accountId: 'u-1', displayName: 'Ann' },
    ],
    ['a date picker', '2024-05-01', '2024-05-01'],
    ['a date-time picker', '2024-05-01T10:00:00.000+0200', '2024-05-01T08:00:00.000Z'],
    ['a number', 5, 5],
    ['a wiki paragraph', 'a *bold* note', 'a bold note'],
    ['an ADF paragraph', adf({ type: 'text', text: 'adf text' }), 'adf text'],
    ['a version picker', { self: `${v3}/version/1`, id: '1', name: '2.0' }, '2.0'],
    ['an issue picker', issueRef(v3), 'OPS-2'],
    ['a checkbox set', [{ value: 'yes', id: '1' }], ['yes']],
    [
      'an unknown shape, without links',
      { self: `${v2}/x/1`, score: 3, nested: { iconUrl: 'i', level: 'x' } },
      { score: 3, nested: { level: 'x' } },
    ],
  ])('%s', (_, value, rendered) => {
    expect(renderFieldValue('customfield_10100', value, opts)).toEqual(rendered);
  });
});

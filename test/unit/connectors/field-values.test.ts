import { describe, expect, it } from 'vitest';
import { fieldValue, isoTime, mappedFields, toJson } from '../../../connectors/field-values.ts';
import { issue, mapping } from '../../helpers/connector-fixtures.ts';

describe('field values for mappings', () => {
  const snapshot = issue({
    customFields: { customfield_1: 'Gold / EU' },
    systemFields: {
      duedate: '2024-03-15',
      resolution: 'Done',
      resolutiondate: '2024-03-02T08:00:00.000Z',
      creator: { accountId: 'acc-bob', displayName: 'Bob Support' },
      fixVersions: ['2.0'],
      versions: ['1.1'],
      parent: 'OPS-1',
      issuelinks: [{ type: 'Blocks', relation: 'blocks', key: 'OPS-9' }],
      timetracking: { originalEstimateSeconds: 7200, remainingEstimateSeconds: 3600, timeSpentSeconds: 3600 },
      environment: 'Production, EU region',
      security: 'Staff only',
      watches: 2,
      votes: 1,
    },
  });

  it.each([
    // The snapshot's own properties, rendered as normalization renders every other field.
    ['summary', 'Checkout returns 502'],
    ['description', 'Customers see a 502 on checkout.'],
    ['status', 'To Do'],
    ['priority', 'High'],
    ['assignee', { accountId: 'acc-ann', displayName: 'Ann Ops' }],
    ['reporter', { accountId: 'acc-bob', displayName: 'Bob Support' }],
    ['labels', ['customer', 'p1']],
    ['components', ['payments', 'web']],
    ['issuetype', 'Incident'],
    ['project', 'OPS'],
    ['issuekey', 'OPS-7'],
    ['created', '2024-03-01T09:00:00.000Z'],
    ['updated', '2024-03-01T09:30:00.000Z'],
    // Every other built-in field, as normalization kept it.
    ['duedate', '2024-03-15'],
    ['resolution', 'Done'],
    ['resolutiondate', '2024-03-02T08:00:00.000Z'],
    ['creator', { accountId: 'acc-bob', displayName: 'Bob Support' }],
    ['fixVersions', ['2.0']],
    ['versions', ['1.1']],
    ['parent', 'OPS-1'],
    ['issuelinks', [{ type: 'Blocks', relation: 'blocks', key: 'OPS-9' }]],
    [
      'timetracking',
      { originalEstimateSeconds: 7200, remainingEstimateSeconds: 3600, timeSpentSeconds: 3600 },
    ],
    ['environment', 'Production, EU region'],
    ['security', 'Staff only'],
    ['watches', 2],
    ['votes', 1],
    // Custom fields; fields the issue has no value for.
    ['customfield_1', 'Gold / EU'],
    ['customfield_404', null],
    ['subtasks', null],
  ])('reads %s', (fieldId, expected) => {
    expect(fieldValue(snapshot, fieldId)).toEqual(expected);
  });

  it('prefers a custom field entry over a built-in field of the same id', () => {
    const odd = issue({ customFields: { summary: 'custom wins' } });
    expect(fieldValue(odd, 'summary')).toBe('custom wins');
  });

  it('reads a missing priority, user and time as null, and snapshots from before systemFields', () => {
    const bare = issue({ priority: null, reporter: null, assignee: { accountId: 'acc-z' }, created: '' });
    expect(fieldValue(bare, 'priority')).toBeNull();
    expect(fieldValue(bare, 'reporter')).toBeNull();
    expect(fieldValue(bare, 'created')).toBeNull();
    expect(fieldValue(bare, 'assignee')).toEqual({ accountId: 'acc-z', displayName: null });
    expect(fieldValue(bare, 'duedate')).toBeNull();
  });

  it('maps every target, leaving out the ones given', () => {
    const m = mapping({ fields: { due: 'duedate', epic: 'parent', customer: 'customfield_1' } });
    expect(mappedFields(snapshot, m, ['customer'])).toEqual({ due: '2024-03-15', epic: 'OPS-1' });
  });

  it('keeps only what JSON can carry', () => {
    const deep: Record<string, unknown> = {};
    let cursor = deep;
    for (let i = 0; i < 12; i++) {
      cursor.next = {};
      cursor = cursor.next as Record<string, unknown>;
    }
    expect(toJson({ a: undefined, b: Number.NaN, c: () => 1, d: [1, 'x', true, null], e: 10n })).toEqual({
      b: null,
      c: null,
      d: [1, 'x', true, null],
      e: null,
    });
    expect(JSON.stringify(toJson(deep))).toBe(
      '{"next":{"next":{"next":{"next":{"next":{"next":{"next":{"next":{"next":null}}}}}}}}}',
    );
  });

  it('writes Jira timestamps as UTC ISO, and leaves unreadable ones as given', () => {
    expect(isoTime('2019-02-15T19:01:52.971-0800')).toBe('2019-02-16T03:01:52.971Z');
    expect(isoTime('2024-03-01T09:00:00Z')).toBe('2024-03-01T09:00:00.000Z');
    expect(isoTime('')).toBe('');
    expect(isoTime('yesterday')).toBe('yesterday');
  });
});

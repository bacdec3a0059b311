import { describe, expect, it } from 'vitest';
import { fieldValue, isoTime, toJson } from '../../../connectors/field-values.ts';
import { issue } from '../../helpers/connector-fixtures.ts';

describe('field values for mappings', () => {
  const snapshot = issue({
    customFields: { customfield_1: { value: 'Gold', child: { value: 'EU' } }, summary: 'custom wins' },
  });

  it.each([
    ['description', 'Customers see a 502 on checkout.'],
    ['status', 'To Do'],
    ['priority', 'High'],
    ['assignee', { accountId: 'acc-ann', displayName: 'Ann Ops' }],
    ['reporter', { accountId: 'acc-bob', displayName: 'Bob Support' }],
    ['labels', ['customer', 'p1']],
    ['components', ['payments', 'web']],
    ['issuetype', 'Incident'],
    ['project', 'OPS'],
    ['created', '2024-03-01T09:00:00.000+0000'],
    ['updated', '2024-03-01T10:30:00.000+0100'],
    ['customfield_1', { value: 'Gold', child: { value: 'EU' } }],
    ['customfield_404', null],
    ['timetracking', null],
  ])('reads %s', (fieldId, expected) => {
    expect(fieldValue(snapshot, fieldId)).toEqual(expected);
  });

  it('prefers a custom field entry over a system field of the same id', () => {
    expect(fieldValue(snapshot, 'summary')).toBe('custom wins');
  });

  it('reads a missing priority and user as null', () => {
    const bare = issue({ priority: null, reporter: null, assignee: { accountId: 'acc-z' } });
    expect(fieldValue(bare, 'priority')).toBeNull();
    expect(fieldValue(bare, 'reporter')).toBeNull();
    expect(fieldValue(bare, 'assignee')).toEqual({ accountId: 'acc-z', displayName: null });
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

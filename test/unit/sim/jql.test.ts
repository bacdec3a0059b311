import { describe, expect, it } from 'vitest';
import { parseJqlDate } from '../../sim/jql/dates.ts';
import { JqlError, parseJql } from '../../sim/jql/parse.ts';

describe('parseJql', () => {
  it('binds AND tighter than OR and reads lists, NOT IN and ORDER BY', () => {
    const q = parseJql(
      'project in (OPS, "CRM") AND status != Done OR assignee is EMPTY ORDER BY updated ASC, id DESC',
    );
    expect(q.where?.kind).toBe('or');
    const [and, isEmpty] = (q.where as { items: unknown[] }).items as Array<Record<string, unknown>>;
    expect(and?.kind).toBe('and');
    expect(isEmpty).toMatchObject({ field: 'assignee', op: 'is' });
    expect(q.orderBy).toEqual([
      { field: 'updated', desc: false },
      { field: 'id', desc: true },
    ]);
    expect(parseJql('key not in (A-1, A-2)').where).toMatchObject({ op: 'not in', list: true });
  });

  it('has no WHERE part for an ORDER BY-only query', () => {
    expect(parseJql('order by key desc').where).toBeUndefined();
  });

  it('refuses broken queries with a Jira-like message', () => {
    expect(() => parseJql('project = "OPS')).toThrow(JqlError);
    expect(() => parseJql('project OPS')).toThrow(/Expecting operator/);
    expect(() => parseJql('(project = OPS')).toThrow(/Expecting '\)'/);
  });
});

describe('parseJqlDate', () => {
  const now = Date.UTC(2026, 0, 15, 12, 0);
  const value = (text: string, quoted = true) => ({ text, quoted });

  it('reads bare numbers as epoch milliseconds', () => {
    expect(parseJqlDate(value('1732877091000', false), 'updated', 'Asia/Tokyo', now)).toEqual({
      at: 1732877091000,
      span: 1,
    });
  });

  it('reads date strings in the given zone with minute or day granularity', () => {
    expect(parseJqlDate(value('2026/01/15 09:30'), 'updated', 'Asia/Kolkata', now)).toEqual({
      at: Date.UTC(2026, 0, 15, 4, 0),
      span: 60_000,
    });
    expect(parseJqlDate(value('2026-01-15'), 'updated', 'UTC', now)).toEqual({
      at: Date.UTC(2026, 0, 15),
      span: 86_400_000,
    });
  });

  it('reads relative periods against now, minutes by default', () => {
    expect(parseJqlDate(value('-5d', false), 'updated', 'UTC', now).at).toBe(now - 5 * 86_400_000);
    expect(parseJqlDate(value('-4w 2d'), 'updated', 'UTC', now).at).toBe(now - 30 * 86_400_000);
    expect(parseJqlDate(value('-15'), 'updated', 'UTC', now).at).toBe(now - 15 * 60_000);
  });

  it('refuses other formats', () => {
    expect(() => parseJqlDate(value('2026-01-15T10:00:00Z'), 'updated', 'UTC', now)).toThrow(
      /Valid formats include/,
    );
  });
});

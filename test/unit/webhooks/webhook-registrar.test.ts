import { describe, expect, it } from 'vitest';
import { projectFilter } from '../../../src/webhooks/webhook-registrar.ts';
import { parseJql } from '../../sim/jql/parse.ts';

/** The project keys a filter names, as a JQL parser (the simulator's, Jira's subset) reads them. */
function projectsNamed(filter: string): string[] {
  const { where } = parseJql(filter);
  if (where?.kind !== 'clause' || where.field !== 'project' || where.op.toLowerCase() !== 'in')
    throw new Error(`not one "project in" clause: ${filter}`);
  return where.values.map((v) => v.text);
}

describe('projectFilter: JQL string literals', () => {
  it('names exactly the given keys, whatever backslashes and quotes they hold', () => {
    const keys = ['OPS', 'A\\', 'B") OR project != "C', 'D\\"E', 'WITH SPACE', 'END\\\\'];
    expect(projectsNamed(projectFilter(keys)).sort()).toEqual([...keys].sort());
  });

  it('keeps the filter of ordinary keys as it was, so registered webhooks still match it', () => {
    expect(projectFilter(['OPS', 'CRM'])).toBe('project in ("CRM", "OPS")');
  });
});

import { describe, expect, it } from 'vitest';
import type { ResolvedMapping } from '../../../connectors/config/resolve-field-names.ts';
import { filterExclusion, filterOut } from '../../../connectors/filter.ts';
import { commentChange, issue, issueChange } from '../../helpers/connector-fixtures.ts';

const filter = (f: {
  projects?: string[];
  issueTypes?: string[];
  labels?: string[];
}): ResolvedMapping['filter'] => ({
  projects: new Set(f.projects ?? []),
  issueTypes: new Set(f.issueTypes ?? []),
  labels: new Set(f.labels ?? []),
});

describe('connector filters, with the criterion that dropped a change', () => {
  const change = issueChange({ issue: issue({ labels: ['customer'] }) }); // OPS-7, Incident

  it('lets everything through an empty filter', () => {
    expect(filterExclusion(change, filter({}))).toBeUndefined();
    expect(filterExclusion(commentChange(), filter({}))).toBeUndefined();
  });

  it.each([
    ['project', filter({ projects: ['SUP'] }), 'project OPS is not in the filter'],
    ['issue_type', filter({ issueTypes: ['bug'] }), 'issue type Incident is not in the filter'],
    ['label', filter({ labels: ['vip'] }), 'no label of the filter on the issue'],
  ])('drops by %s', (criterion, f, reason) => {
    expect(filterExclusion(change, f)).toEqual({ criterion, reason });
    expect(filterOut(change, f)).toBe(reason);
  });

  it('takes a change each criterion lets through', () => {
    const f = filter({ projects: ['OPS'], issueTypes: ['10004'], labels: ['customer'] });
    expect(filterExclusion(change, f)).toBeUndefined();
  });

  it('drops a comment whose issue it has not seen when the filter needs the type or the labels', () => {
    const comment = commentChange(); // a trimmed issue: key and project, no type, no labels
    expect(filterExclusion(comment, filter({ issueTypes: ['incident'] }))?.criterion).toBe(
      'issue_type_unknown',
    );
    expect(filterExclusion(comment, filter({ labels: ['customer'] }))?.criterion).toBe('labels_unknown');
    expect(
      filterExclusion(commentChange({ issueSnapshot: issue() }), filter({ labels: ['p1'] })),
    ).toBeUndefined();
  });
});

import type { ResolvedMapping } from './config/resolve-field-names.ts';
import type { JiraChange } from './jira-change.ts';

/** What the filter looks at; undefined where the change does not say (a comment's trimmed issue). */
interface Facts {
  readonly project: string;
  readonly issueType: { readonly id?: string; readonly name: string } | undefined;
  readonly labels: readonly string[] | undefined;
}

/**
 * Which part of a filter dropped a change: a small fixed set, fit for a metric label. The `_unknown`
 * ones are comments whose issue the relay has not seen yet, so their type or labels are unknown.
 */
type FilterCriterion = 'project' | 'issue_type' | 'issue_type_unknown' | 'label' | 'labels_unknown';

/** A change the filter drops: the criterion, and the reason in words (the connector's skip reason). */
export interface FilterExclusion {
  readonly criterion: FilterCriterion;
  readonly reason: string;
}

function factsOf(change: JiraChange): Facts {
  if (change.entity === 'issue') {
    const { issue } = change;
    return { project: issue.project.key, issueType: issue.issueType, labels: issue.labels };
  }
  const snapshot = change.issueSnapshot ?? undefined;
  // Issue keys are PROJECT-N, so the key names the project even in the most trimmed payload.
  const project = change.issue.projectKey ?? snapshot?.project.key ?? change.issue.key.replace(/-\d+$/, '');
  const typeName = change.issue.issueType ?? snapshot?.issueType.name;
  return {
    project,
    issueType: snapshot?.issueType ?? (typeName === undefined ? undefined : { name: typeName }),
    labels: snapshot?.labels,
  };
}

/**
 * Why a change is outside the connector's filter, or undefined when it passes. A criterion the
 * change cannot answer (labels of a comment whose issue the relay has not seen) excludes it: a
 * connector never gets a comment of an issue it would not have taken.
 */
export function filterExclusion(
  change: JiraChange,
  filter: ResolvedMapping['filter'],
): FilterExclusion | undefined {
  const facts = factsOf(change);
  if (filter.projects.size > 0 && !filter.projects.has(facts.project.toUpperCase())) {
    return { criterion: 'project', reason: `project ${facts.project} is not in the filter` };
  }
  if (filter.issueTypes.size > 0) {
    const type = facts.issueType;
    if (type === undefined) {
      return {
        criterion: 'issue_type_unknown',
        reason: 'issue type unknown for this change; the filter needs it',
      };
    }
    const hit =
      filter.issueTypes.has(type.name.toLowerCase()) ||
      (type.id !== undefined && filter.issueTypes.has(type.id));
    if (!hit) return { criterion: 'issue_type', reason: `issue type ${type.name} is not in the filter` };
  }
  if (filter.labels.size > 0) {
    if (facts.labels === undefined) {
      return { criterion: 'labels_unknown', reason: 'labels unknown for this change; the filter needs them' };
    }
    if (!facts.labels.some((label) => filter.labels.has(label))) {
      return { criterion: 'label', reason: 'no label of the filter on the issue' };
    }
  }
  return undefined;
}

/** The reason a change is outside the filter, in words; undefined when it passes. */
export function filterOut(change: JiraChange, filter: ResolvedMapping['filter']): string | undefined {
  return filterExclusion(change, filter)?.reason;
}

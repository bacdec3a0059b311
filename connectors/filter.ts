import type { ResolvedMapping } from './config/resolve-field-names.ts';
import type { JiraChange } from './jira-change.ts';

/** What the filter looks at; undefined where the change does not say (a comment's trimmed issue). */
interface Facts {
  readonly project: string;
  readonly issueType: { readonly id?: string; readonly name: string } | undefined;
  readonly labels: readonly string[] | undefined;
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
export function filterOut(change: JiraChange, filter: ResolvedMapping['filter']): string | undefined {
  const facts = factsOf(change);
  if (filter.projects.size > 0 && !filter.projects.has(facts.project.toUpperCase())) {
    return `project ${facts.project} is not in the filter`;
  }
  if (filter.issueTypes.size > 0) {
    const type = facts.issueType;
    if (type === undefined) return 'issue type unknown for this change; the filter needs it';
    const hit =
      filter.issueTypes.has(type.name.toLowerCase()) ||
      (type.id !== undefined && filter.issueTypes.has(type.id));
    if (!hit) return `issue type ${type.name} is not in the filter`;
  }
  if (filter.labels.size > 0) {
    if (facts.labels === undefined) return 'labels unknown for this change; the filter needs them';
    if (!facts.labels.some((label) => filter.labels.has(label))) return 'no label of the filter on the issue';
  }
  return undefined;
}

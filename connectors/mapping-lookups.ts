import type { Severity } from './config/connectors-config-schema.ts';
import type { ResolvedMapping } from './config/resolve-field-names.ts';
import type { IssueSnapshot } from './jira-change.ts';

function lookup<T>(
  map: ReadonlyMap<string, T>,
  ref: { readonly id?: string; readonly name: string },
): T | undefined {
  return (
    (ref.id === undefined ? undefined : map.get(ref.id.toLowerCase())) ?? map.get(ref.name.toLowerCase())
  );
}

/** The severity of the issue's priority (by id, then name), else the configured default. */
export function severityOf(issue: IssueSnapshot, mapping: ResolvedMapping): Severity {
  return (issue.priority && lookup(mapping.severities, issue.priority)) || mapping.defaultSeverity;
}

/** The target the status mapping gives the issue's status (by id, then name), if any. */
export function mappedStatus(issue: IssueSnapshot, mapping: ResolvedMapping): string | undefined {
  return lookup(mapping.statuses, issue.status);
}

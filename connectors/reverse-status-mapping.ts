import type { ResolvedMapping } from './config/resolve-field-names.ts';
import type { StatusRefs } from './jira-intent.ts';

/**
 * The status mapping read backwards, for commands: a connector's status (a CRM status, an incident
 * state) to the Jira statuses that stand for it. Mapping keys are lower-cased names or ids.
 */

/** The targets of the status mapping, each once, in the order of the connectors file. */
export function statusTargets(mapping: ResolvedMapping): string[] {
  return [...new Set(mapping.statuses.values())];
}

/** The Jira statuses (lower-cased names or ids) the mapping maps to `target`, in file order. */
export function jiraStatusesMappedTo(mapping: ResolvedMapping, target: string): string[] {
  return [...mapping.statuses].filter(([, to]) => to === target).map(([status]) => status);
}

/** The Jira statuses (lower-cased names or ids) the mapping maps to any target but `target`. */
export function jiraStatusesMappedElsewhere(mapping: ResolvedMapping, target: string): string[] {
  return [...mapping.statuses].filter(([, to]) => to !== target).map(([status]) => status);
}

/** Names and ids apart: Jira's ids are all digits, a name that is all digits is taken as an id. */
export function splitStatusRefs(refs: readonly string[]): StatusRefs {
  const isId = (ref: string) => /^[0-9]+$/.test(ref);
  return { ids: refs.filter(isId), names: refs.filter((ref) => !isId(ref)) };
}

import { builtInFieldIds, unmappableFields } from './built-in-fields.ts';
import type { ConnectorSettings, FieldRef, Severity } from './connectors-config-schema.ts';

/** An entry of Jira's field list (`GET /rest/api/3/field`): ids are per site, names are not unique. */
export interface JiraFieldInfo {
  readonly id: string;
  readonly name: string;
}

/**
 * What a connector receives for one site: the settings with every field name resolved to that
 * site's field id and the name lists turned into lookups (keys lower-cased, ids and names alike).
 */
export interface ResolvedMapping {
  readonly topic: string;
  readonly filter: {
    /** Upper-cased project keys; empty: any project. */
    readonly projects: ReadonlySet<string>;
    /** Lower-cased issue type names or ids; empty: any type. */
    readonly issueTypes: ReadonlySet<string>;
    /** Labels as written (Jira labels are case-sensitive); empty: no label needed. */
    readonly labels: ReadonlySet<string>;
  };
  /** Target name in the event -> Jira field id on this site. */
  readonly fields: Readonly<Record<string, string>>;
  /** Lower-cased Jira status name or id -> target. */
  readonly statuses: ReadonlyMap<string, string>;
  /** Lower-cased Jira priority name or id -> severity. */
  readonly severities: ReadonlyMap<string, Severity>;
  readonly defaultSeverity: Severity;
}

export interface Resolution {
  readonly mapping: ResolvedMapping;
  /** Field references that could not be resolved on this site; their targets are left out. */
  readonly problems: readonly string[];
}

/**
 * Resolves field names through the site's field list (fetched and cached by the caller). A bare
 * string is taken as an id when the site has a field with that id, it is a Jira built-in field id
 * (`duedate`, `fixVersions`) or it looks like a custom field id, otherwise as a name. A name
 * matches exactly, else ignoring case; a name that several fields share is a problem, to be fixed
 * with `{ id }`, rather than a guess. Fields that carry no value for an event (`comment`) are
 * problems too, so a mapping never yields a silent null.
 */
export function resolveFieldNames(settings: ConnectorSettings, fields: readonly JiraFieldInfo[]): Resolution {
  const problems: string[] = [];
  const resolved: Record<string, string> = {};
  const ids = new Set(fields.map((f) => f.id));
  for (const [target, ref] of Object.entries(settings.fields)) {
    const outcome = resolveRef(ref, fields, ids);
    const unmappable =
      typeof outcome === 'string' && Object.hasOwn(unmappableFields, outcome)
        ? unmappableFields[outcome]
        : undefined;
    if (typeof outcome !== 'string') problems.push(`fields.${target}: ${outcome.problem}`);
    else if (unmappable !== undefined) problems.push(`fields.${target}: ${outcome}: ${unmappable}`);
    else resolved[target] = outcome;
  }
  return {
    mapping: {
      topic: settings.topic,
      filter: {
        projects: new Set(settings.filter.projects.map((p) => p.toUpperCase())),
        issueTypes: new Set(settings.filter.issueTypes.map((t) => t.toLowerCase())),
        labels: new Set(settings.filter.labels),
      },
      fields: resolved,
      statuses: invert(settings.statuses),
      severities: invert(settings.severities),
      defaultSeverity: settings.defaultSeverity,
    },
    problems,
  };
}

function resolveRef(
  ref: FieldRef,
  fields: readonly JiraFieldInfo[],
  ids: ReadonlySet<string>,
): string | { problem: string } {
  if (typeof ref === 'object' && 'id' in ref) return ref.id;
  const name = typeof ref === 'object' ? ref.name : ref;
  if (typeof ref === 'string' && (ids.has(ref) || builtInFieldIds.has(ref) || /^customfield_\d+$/.test(ref)))
    return ref;
  let matches = fields.filter((f) => f.name === name);
  if (matches.length === 0) matches = fields.filter((f) => f.name.toLowerCase() === name.toLowerCase());
  const [only, ...others] = matches;
  if (!only) return { problem: `no field named "${name}" on this site` };
  if (others.length > 0) {
    const candidates = matches.map((f) => f.id).join(', ');
    return { problem: `"${name}" names ${matches.length} fields (${candidates}); use { id: ... }` };
  }
  return only.id;
}

function invert<T extends string>(map: Partial<Record<T, readonly string[]>>): Map<string, T> {
  const out = new Map<string, T>();
  for (const [target, sources] of Object.entries(map) as [T, readonly string[] | undefined][]) {
    for (const source of sources ?? []) out.set(source.toLowerCase(), target);
  }
  return out;
}

import type { ResolvedMapping } from './config/resolve-field-names.ts';
import type { IssueSnapshot, JiraUser } from './jira-change.ts';
import type { JsonObject, JsonValue } from './relay-event.ts';

/**
 * Built-in fields the snapshot keeps as properties, rendered as normalization renders every other
 * field (src/normalize/field-render.ts): names for statuses and the like, keys for projects,
 * `{ accountId, displayName }` for users, UTC ISO for datetimes.
 */
const snapshotProperties: Readonly<Record<string, (issue: IssueSnapshot) => JsonValue>> = {
  summary: (i) => i.summary,
  description: (i) => i.description,
  status: (i) => i.status.name,
  priority: (i) => i.priority?.name ?? null,
  assignee: (i) => userJson(i.assignee),
  reporter: (i) => userJson(i.reporter),
  labels: (i) => [...i.labels],
  components: (i) => [...i.components],
  issuetype: (i) => i.issueType.name,
  project: (i) => i.project.key,
  issuekey: (i) => i.key,
  created: (i) => (i.created === '' ? null : isoTime(i.created)),
  updated: (i) => (i.updated === '' ? null : isoTime(i.updated)),
};

export function userJson(user: JiraUser | null): JsonValue {
  if (!user) return null;
  return { accountId: user.accountId, displayName: user.displayName ?? null };
}

/**
 * The value of any Jira field on the snapshot, built-in or custom, JSON-safe; null when the issue
 * has none. Custom fields come first, then the snapshot's own properties, then the other built-in
 * fields normalization kept (`duedate`, `fixVersions`, `parent`, `timetracking`, ...).
 */
export function fieldValue(issue: IssueSnapshot, fieldId: string): JsonValue {
  if (Object.hasOwn(issue.customFields, fieldId)) return toJson(issue.customFields[fieldId]);
  const property = snapshotProperties[fieldId];
  if (property) return property(issue);
  const others = issue.systemFields;
  return others && Object.hasOwn(others, fieldId) ? toJson(others[fieldId]) : null;
}

/** Every mapped target with its value, except the ones listed in `skip` (used at top level). */
export function mappedFields(
  issue: IssueSnapshot,
  mapping: ResolvedMapping,
  skip: readonly string[] = [],
): JsonObject {
  const out: JsonObject = {};
  for (const [target, fieldId] of Object.entries(mapping.fields)) {
    if (!skip.includes(target)) out[target] = fieldValue(issue, fieldId);
  }
  return out;
}

/** Normalized field values are plain data already; this drops what JSON cannot carry. */
export function toJson(value: unknown, depth = 0): JsonValue {
  if (value === null || value === undefined || depth > 8) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map((v) => toJson(v, depth + 1));
  if (typeof value === 'object') {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toJson(v, depth + 1);
    return out;
  }
  return null;
}

/** ISO 8601 in UTC from Jira's `+0000`-style timestamps; the input as given when unreadable. */
export function isoTime(value: string): string {
  const ms = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

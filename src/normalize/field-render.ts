import { isoTime, userJson } from '../../connectors/field-values.ts';
import { type Json, plainText, type RichTextOptions, record, text, userFrom } from './jira-fields.ts';

/**
 * Jira field values as events carry them, by the field's type. Webhook bodies (REST v2, wiki
 * markup, dates in the actor's time zone, links under /rest/api/2) and API reads (REST v3, ADF,
 * dates in the reader's zone) render to the same value, so an event does not depend on the path
 * that brought the change. See docs/configuration.md, "Field values".
 */
type FieldKind =
  /** Taken as written (summary, labels): no wiki markup to read. */
  | 'text'
  /** ADF or wiki markup as plain text (description, environment). */
  | 'rich-text'
  /** `yyyy-MM-dd` as given: a date has no time zone (duedate). */
  | 'date'
  /** ISO 8601 in UTC. */
  | 'datetime'
  /** `{ accountId, displayName }`; e-mail addresses are left out (webhooks do not carry them). */
  | 'user'
  /** The name: statuses, priorities, resolutions, security levels, versions, components. */
  | 'named'
  /** The key: projects, the parent, sub-tasks. */
  | 'key'
  /** `[{ type, relation, key }]`: the link type, the relation read from this issue, the other issue. */
  | 'issuelinks'
  /** The number: watchers, votes. */
  | 'count'
  /** File names. */
  | 'attachment'
  | 'number';

/**
 * Jira's built-in fields by id. Fields not listed (custom fields, new ones) are read by shape. The
 * snapshot keeps some of these as properties of its own (summary, status, assignee, ...);
 * connectors/field-values.ts renders those the same way.
 */
const builtInKinds: Readonly<Record<string, FieldKind>> = {
  summary: 'text',
  labels: 'text',
  description: 'rich-text',
  environment: 'rich-text',
  duedate: 'date',
  created: 'datetime',
  updated: 'datetime',
  resolutiondate: 'datetime',
  statuscategorychangedate: 'datetime',
  assignee: 'user',
  reporter: 'user',
  creator: 'user',
  status: 'named',
  priority: 'named',
  issuetype: 'named',
  resolution: 'named',
  security: 'named',
  fixVersions: 'named',
  versions: 'named',
  components: 'named',
  project: 'key',
  parent: 'key',
  subtasks: 'key',
  issuelinks: 'issuelinks',
  watches: 'count',
  votes: 'count',
  attachment: 'attachment',
  timeoriginalestimate: 'number',
  timeestimate: 'number',
  timespent: 'number',
  aggregatetimeoriginalestimate: 'number',
  aggregatetimeestimate: 'number',
  aggregatetimespent: 'number',
  workratio: 'number',
};

/** A field's value rendered for events; null when it has none. `timetracking`: see timeTrackingFrom. */
export function renderFieldValue(fieldId: string, value: unknown, opts: RichTextOptions): unknown {
  const kind = builtInKinds[fieldId];
  if (kind === undefined) return byShape(value, opts, 0);
  return Array.isArray(value) ? value.map((v) => byKind(kind, v, opts)) : byKind(kind, value, opts);
}

function byKind(kind: FieldKind, value: unknown, opts: RichTextOptions): unknown {
  if (value === null || value === undefined) return null;
  const raw = record(value);
  switch (kind) {
    case 'text':
    case 'date':
      return text(value) ?? null;
    case 'rich-text':
      return plainText(value, opts);
    case 'datetime':
      return instant(value);
    case 'user':
      return userJson(userFrom(value));
    case 'named':
      return text(raw?.name) ?? text(raw?.value) ?? text(value) ?? null;
    case 'key':
      return text(raw?.key) ?? text(value) ?? null;
    case 'issuelinks':
      return linkOf(raw);
    case 'count':
      return typeof value === 'number' ? value : (numberOf(raw?.watchCount) ?? numberOf(raw?.votes));
    case 'attachment':
      return text(raw?.filename) ?? null;
    case 'number':
      return numberOf(value);
  }
}

/**
 * A value whose type the relay does not know (custom fields; webhooks carry no schema): rich text
 * as text, dates in UTC, users, options (`Parent / Child` for cascades), issues by key, other named
 * things by name, counts; anything else as JSON without `self` links and icons.
 */
function byShape(value: unknown, opts: RichTextOptions, depth: number): unknown {
  if (value === null || value === undefined || depth > 8) return null;
  if (typeof value === 'string')
    return timestampPattern.test(value) ? instant(value) : plainText(value, opts);
  if (typeof value === 'number') return numberOf(value);
  if (typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((v) => byShape(v, opts, depth + 1));
  const raw = record(value);
  if (!raw) return null;
  if (raw.type === 'doc') return plainText(raw, opts);
  if (raw.accountId !== undefined) return userJson(userFrom(raw));
  if (raw.value !== undefined) {
    const child = record(raw.child);
    return child?.value === undefined
      ? (text(raw.value) ?? null)
      : `${text(raw.value)} / ${text(child.value)}`;
  }
  if (typeof raw.key === 'string' && (raw.id !== undefined || raw.self !== undefined)) return raw.key;
  if (typeof raw.name === 'string') return raw.name;
  if (typeof raw.watchCount === 'number') return raw.watchCount;
  if (typeof raw.votes === 'number' && 'hasVoted' in raw) return raw.votes;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (!linkKeys.has(k) && v !== undefined) out[k] = byShape(v, opts, depth + 1);
  }
  return out;
}

/** Per-site or per-API links and pictures: they differ between webhook and API bodies. */
const linkKeys: ReadonlySet<string> = new Set(['self', 'iconUrl', 'avatarUrls', 'expand']);

/** Jira's datetime text: `2024-05-01T10:00:00.000+0200`, or with `Z` or `+02:00`. */
const timestampPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

function instant(value: unknown): string | null {
  const s = text(value);
  return s === undefined || s === '' ? null : isoTime(s);
}

function numberOf(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function linkOf(raw: Json | undefined): Record<string, string | null> | null {
  const type = record(raw?.type);
  const outward = record(raw?.outwardIssue);
  const other = outward ?? record(raw?.inwardIssue);
  const key = text(other?.key);
  if (key === undefined) return null;
  const relation = text(outward ? type?.outward : type?.inward) ?? null;
  return { type: text(type?.name) ?? null, relation, key };
}

/**
 * Time tracking as seconds: `{ originalEstimateSeconds, remainingEstimateSeconds, timeSpentSeconds }`,
 * null when nothing is estimated or logged. Webhook bodies carry `timetracking: {}` and the
 * numbers in `timeoriginalestimate`, `timeestimate` and `timespent`; API reads fill
 * `timetracking` itself. Either gives the same value. The `1d 4h` texts are left out: they depend
 * on the site's working hours, which webhook bodies do not say.
 */
export function timeTrackingFrom(fields: Json): Record<string, number | null> | null {
  const tracking = record(fields.timetracking) ?? {};
  const seconds = (own: unknown, sibling: unknown) => numberOf(own) ?? numberOf(sibling);
  const out = {
    originalEstimateSeconds: seconds(tracking.originalEstimateSeconds, fields.timeoriginalestimate),
    remainingEstimateSeconds: seconds(tracking.remainingEstimateSeconds, fields.timeestimate),
    timeSpentSeconds: seconds(tracking.timeSpentSeconds, fields.timespent),
  };
  return Object.values(out).every((v) => v === null) ? null : out;
}

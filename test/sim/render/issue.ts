import { transitions } from '../data/catalog.ts';
import type { SimHistory, SimIssue } from '../model.ts';
import { adfToHtml } from './comment.ts';
import type { FieldDef } from './field-def.ts';
import { fieldDefs, fieldsById } from './fields.ts';
import { renderStatus } from './named-values.ts';
import { formatJiraDate } from './time-zone.ts';
import { type RenderView, renderUserById } from './view.ts';

export interface IssueRequest {
  /** Field ids to include. */
  readonly fields: ReadonlySet<string>;
  readonly expand: ReadonlySet<string>;
  readonly properties: readonly string[];
  readonly commentCap: number;
  /** Search puts names/schema at the top level; GET issue puts them on the issue. */
  readonly namesOnIssue: boolean;
  /** Changelog histories embedded with expand=changelog (bulkfetch: 40). */
  readonly changelogCap: number;
}

const EXPANDABLE = 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations';

/**
 * Jira's `fields` parameter: `*all`, `*navigable`, ids, and `-id` exclusions; unknown ids are
 * ignored as Jira ignores them. An empty list means the endpoint's default.
 */
export function selectFields(
  requested: readonly string[],
  fallback: '*all' | '*navigable' | 'id',
): Set<string> {
  const list = requested.length > 0 ? requested : [fallback];
  const selected = new Set<string>();
  for (const raw of list) {
    const f = raw.trim();
    if (f === '*all') {
      for (const d of fieldDefs) selected.add(d.id);
    } else if (f === '*navigable') {
      for (const d of fieldDefs) if (d.navigable) selected.add(d.id);
    } else if (fieldsById.has(f)) {
      selected.add(f);
    }
  }
  for (const raw of list) if (raw.trim().startsWith('-')) selected.delete(raw.trim().slice(1));
  return selected;
}

export function splitList(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => splitList(v));
  if (typeof value !== 'string') return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function renderIssue(issue: SimIssue, view: RenderView, req: IssueRequest): Record<string, unknown> {
  const out: Record<string, unknown> = {
    expand: EXPANDABLE,
    id: issue.id,
    self: `${view.base}/issue/${issue.id}`,
    key: issue.key,
  };
  const fields: Record<string, unknown> = {};
  const opts = { commentCap: req.commentCap };
  for (const id of req.fields) {
    const def = fieldsById.get(id) as FieldDef;
    fields[id] = def.render(issue, view, opts);
  }
  if (req.fields.size > 0) out.fields = fields;
  if (req.expand.has('renderedFields')) out.renderedFields = renderedFields(issue, view, req.fields);
  if (req.namesOnIssue && req.expand.has('names')) out.names = fieldNames(req.fields);
  if (req.namesOnIssue && req.expand.has('schema')) out.schema = fieldSchemas(req.fields);
  if (req.expand.has('changelog'))
    out.changelog = renderChangelogPage(
      issue.changelog.slice(-req.changelogCap),
      issue.changelog.length,
      view,
    );
  if (req.expand.has('transitions')) out.transitions = renderTransitions(view);
  if (req.expand.has('operations')) out.operations = { linkGroups: [] };
  if (req.expand.has('editmeta')) out.editmeta = { fields: {} };
  if (req.properties.length > 0) out.properties = issueProperties(issue, req.properties);
  return out;
}

export function fieldNames(ids: ReadonlySet<string>): Record<string, string> {
  const names: Record<string, string> = {};
  for (const id of ids) names[id] = (fieldsById.get(id) as FieldDef).name;
  return names;
}

export function fieldSchemas(ids: ReadonlySet<string>): Record<string, unknown> {
  const schemas: Record<string, unknown> = {};
  for (const id of ids) schemas[id] = (fieldsById.get(id) as FieldDef).schema;
  return schemas;
}

function renderedFields(
  issue: SimIssue,
  view: RenderView,
  ids: ReadonlySet<string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (ids.has('description')) out.description = issue.description ? adfToHtml(issue.description) : null;
  if (ids.has('created')) out.created = new Date(issue.created).toUTCString();
  if (ids.has('updated')) out.updated = new Date(issue.updated).toUTCString();
  void view;
  return out;
}

/** `properties`: a list of keys or `*all`; Jira returns only keys that exist. */
function issueProperties(issue: SimIssue, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const wanted = keys.includes('*all') ? [...issue.properties.keys()] : keys;
  for (const key of wanted) if (issue.properties.has(key)) out[key] = issue.properties.get(key);
  return out;
}

export function renderHistory(history: SimHistory, view: RenderView): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: history.id,
    author: renderUserById(view, history.authorId),
    created: formatJiraDate(history.created, view.timeZone),
    // The OpenAPI types from/to as non-null strings: absent values are left out rather than null.
    items: history.items.map((item) =>
      Object.fromEntries(Object.entries(item).filter(([, v]) => v !== null)),
    ),
  };
  if (history.historyMetadata) out.historyMetadata = history.historyMetadata;
  return out;
}

function renderChangelogPage(
  histories: SimHistory[],
  total: number,
  view: RenderView,
): Record<string, unknown> {
  return {
    startAt: 0,
    maxResults: histories.length,
    total,
    histories: histories.map((h) => renderHistory(h, view)),
  };
}

export function renderTransitions(view: RenderView): Record<string, unknown>[] {
  return transitions.map((t) => ({
    id: t.id,
    name: t.name,
    to: renderStatus(t.toStatusId, view),
    hasScreen: false,
    isGlobal: true,
    isInitial: false,
    isAvailable: true,
    isConditional: false,
    isLooped: false,
  }));
}

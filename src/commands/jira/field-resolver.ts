import type { JiraClient } from '../../atlassian/jira/jira-client.ts';
import { type ToAdf, toJiraFieldValue } from './field-values.ts';
import type { JiraFieldDefinition, SiteFieldCache } from './site-field-list.ts';

/** What resolving needs besides the client: the text converter and the shared field lists. */
export interface ResolveFieldsOptions {
  /** Plain text to ADF, for description and other rich text fields given as a string. */
  readonly toAdf: ToAdf;
  /** The field lists of sites, shared by every command of the process. */
  readonly fieldLists: SiteFieldCache;
}

/** The fields keyed by id with values in Jira's shapes, or the keys that name no single field of the site. */
export type ResolvedFields =
  | { readonly fields: Record<string, unknown> }
  | { readonly unknown: readonly string[] };

/**
 * A command's fields keyed by the site's field ids, values shaped by each field's schema (see
 * `toJiraFieldValue`). A key is a field id (`summary`, `customfield_10010`) or a name (`Customer`),
 * matched exactly, else ignoring case. Listed in `unknown`: names no field of the site has, names
 * several fields share (the sender must use the id), and keys naming a field an earlier key set.
 */
export async function resolveFields(
  client: JiraClient,
  fields: Readonly<Record<string, unknown>>,
  opts: ResolveFieldsOptions,
): Promise<ResolvedFields> {
  const definitions = await opts.fieldLists.fieldsOf(client);
  const resolved: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    const field = findField(definitions, key);
    if (!field || Object.hasOwn(resolved, field.id)) unknown.push(key);
    else resolved[field.id] = toJiraFieldValue(field, value, opts.toAdf);
  }
  return unknown.length > 0 ? { unknown } : { fields: resolved };
}

function findField(
  definitions: readonly JiraFieldDefinition[],
  key: string,
): JiraFieldDefinition | undefined {
  const byId = definitions.find((f) => f.id === key);
  if (byId) return byId;
  let matches = definitions.filter((f) => f.name === key);
  if (matches.length === 0) {
    const lower = key.toLowerCase();
    matches = definitions.filter((f) => f.name.toLowerCase() === lower);
  }
  return matches.length === 1 ? matches[0] : undefined;
}

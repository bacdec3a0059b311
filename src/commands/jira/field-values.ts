import type { JiraFieldDefinition } from './site-field-list.ts';

/** Plain text to ADF (the command normalizer's converter; passed in, so this layer stays text-agnostic). */
export type ToAdf = (text: string) => unknown;

const RICH_TEXT_SYSTEM_FIELDS = new Set(['description', 'environment']);

/** Fields REST v3 wants as ADF: description, environment and multi-line text custom fields. */
function isRichTextField(field: JiraFieldDefinition): boolean {
  const schema = field.schema;
  if (!schema) return false;
  if (schema.custom?.endsWith(':textarea')) return true;
  return schema.type === 'string' && RICH_TEXT_SYSTEM_FIELDS.has(schema.system ?? '');
}

/** A reference by id when the text is all digits (Jira's ids are), else by `nameKey`. */
const byIdOr =
  (nameKey: string) =>
  (text: string): Record<string, string> =>
    /^\d+$/.test(text) ? { id: text } : { [nameKey]: text };

/** How a bare string becomes the object Jira expects, by schema type (or array item type). */
const stringShapes: Readonly<Record<string, (text: string) => unknown>> = {
  priority: byIdOr('name'),
  issuetype: byIdOr('name'),
  resolution: byIdOr('name'),
  component: byIdOr('name'),
  version: byIdOr('name'),
  project: byIdOr('key'),
  user: (text) => ({ accountId: text }),
  group: (text) => ({ name: text }),
  option: (text) => ({ value: text }),
  'option-with-child': (text) => ({ value: text }),
  string: (text) => text,
};

/**
 * A command's value in the shape Jira expects for `field`: the simple cases are converted
 * (`'High'` → `{name: 'High'}`, a select option → `{value}`, a user → `{accountId}`, one label →
 * `[label]`, a numeric string for a number field → a number, text of a rich text field → ADF);
 * objects, `null` (clears the field) and anything not recognised pass through as given.
 */
export function toJiraFieldValue(field: JiraFieldDefinition, value: unknown, toAdf: ToAdf): unknown {
  const schema = field.schema;
  if (value === null || schema === undefined) return value;
  if (typeof value === 'string' && isRichTextField(field)) return toAdf(value);
  if (schema.type === 'array') {
    const shape = stringShapes[schema.items ?? ''];
    if (!shape) return value;
    if (typeof value === 'string') return [shape(value)];
    if (Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? shape(item) : item));
    return value;
  }
  if (typeof value !== 'string') return value;
  if (schema.type === 'number') {
    const n = Number(value);
    return value.trim() !== '' && Number.isFinite(n) ? n : value;
  }
  const shape = stringShapes[schema.type];
  return shape ? shape(value) : value;
}

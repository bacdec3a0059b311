import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { type ConnectorsConfig, connectorsConfigSchema } from './connectors-config-schema.ts';

export type ConnectorsConfigResult =
  | { readonly ok: true; readonly config: ConnectorsConfig }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * The connectors YAML as a checked config, or one readable line per problem naming where it is in
 * the file (`connectors.crm.filter.projects[1]: expected string`). Pure: the caller reads the file.
 */
export function parseConnectorsConfig(text: string): ConnectorsConfigResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => `${position(lineCounter.linePos(e.pos[0]))}${e.message}`),
    };
  }
  const result = connectorsConfigSchema.safeParse(doc.toJS() ?? {});
  if (result.success) return { ok: true, config: result.data };
  return { ok: false, problems: result.error.issues.flatMap(describe) };
}

function position(pos: { line: number; col: number }): string {
  return `line ${pos.line}, column ${pos.col}: `;
}

/** `connectors.crm.filter.projects[1]` from zod's path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out || '(file)';
}

function describe(issue: z.core.$ZodIssue): string[] {
  const where = formatPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = where === 'connectors' ? ' (known connectors: crm, monitoring)' : '';
      return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown key${known}`);
    }
    case 'invalid_type':
      return [`${where}: expected ${issue.expected}`];
    case 'invalid_value':
      return [`${where}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`];
    case 'invalid_union':
      return [`${where}: expected a field id or name, or { id } or { name }`];
    case 'invalid_key':
      return [`${where}: invalid key (${issue.issues.map((i) => i.message).join('; ')})`];
    default:
      return [`${where}: ${issue.message}`];
  }
}

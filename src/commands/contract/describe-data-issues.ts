import type { z } from 'zod';

/** The field a problem is in and one readable line for it, field first. */
export interface DataProblem {
  readonly field: string;
  readonly reason: string;
}

/** How many problems one reason line names; the rest are counted. */
const maxNamed = 3;

const plainKey = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `data.fields["Story Points"]`, `data.to`, `data[0]`: a dotted path that stays on one line. */
function dataPath(path: readonly PropertyKey[]): string {
  let out = 'data';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'string' && plainKey.test(part) && part.length <= 80) out += `.${part}`;
    else out += `[${JSON.stringify(String(part).slice(0, 80))}]`;
  }
  return out;
}

const expectedNames: Readonly<Record<string, string>> = {
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  record: 'an object',
  array: 'an array',
  number: 'a number',
};

function describeIssue(
  issue: z.core.$ZodIssue,
  knownKeys: readonly string[],
): { path: string; text: string }[] {
  const path = dataPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = issue.path.length === 0 ? ` (known: ${knownKeys.join(', ')})` : '';
      return issue.keys.map((key) => ({ path: dataPath([...issue.path, key]), text: `unknown key${known}` }));
    }
    case 'invalid_type':
      if (issue.input === undefined) return [{ path, text: 'required' }];
      return [{ path, text: `expected ${expectedNames[issue.expected] ?? issue.expected}` }];
    case 'invalid_value':
      return [{ path, text: `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` }];
    default:
      return [{ path, text: issue.message }];
  }
}

/**
 * zod's issues as the result's field and reason: the first problem's path, and one line naming up
 * to three problems (the first of each field), e.g. `data.to: required; data.ifUpdated: an ISO
 * 8601 time ...`. Parse with `reportInput: true`, so a missing key reads as `required`.
 */
export function describeDataIssues(
  issues: readonly z.core.$ZodIssue[],
  knownKeys: readonly string[],
): DataProblem {
  const firstPerPath = new Map<string, string>();
  for (const issue of issues) {
    for (const { path, text } of describeIssue(issue, knownKeys)) {
      if (!firstPerPath.has(path)) firstPerPath.set(path, text);
    }
  }
  const problems = [...firstPerPath].map(([path, text]) => `${path}: ${text}`);
  const [field = 'data'] = firstPerPath.keys();
  const more = problems.length > maxNamed ? `; and ${problems.length - maxNamed} more` : '';
  return { field, reason: (problems.slice(0, maxNamed).join('; ') || 'data: invalid') + more };
}

import type { z } from 'zod';
import { type Config, configSchema, envVars, secretNames } from './schema.ts';

/** A configuration that cannot start the process; `problems` holds one readable line per variable. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Parses the environment once. Unknown variables are ignored; empty strings count as unset.
 * Messages name the variable and what it expects, and never repeat the value given.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const input: Record<string, string> = {};
  for (const name of Object.keys(envVars)) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') input[name] = value;
  }
  const result = configSchema.safeParse(input);
  if (!result.success) throw new ConfigError(describeIssues(result.error.issues, input));
  return deepFreeze(result.data);
}

/** Frozen all the way down: a list such as KAFKA_BROKERS cannot be changed by whoever holds it. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

function describeIssues(issues: readonly z.core.$ZodIssue[], input: Record<string, string>): string[] {
  const byName = new Map<string, string[]>();
  for (const issue of issues) {
    const name = String(issue.path[0] ?? '(config)');
    const missing = input[name] === undefined;
    const text = missing ? 'is required' : expectation(issue);
    const list = byName.get(name) ?? [];
    if (!list.includes(text)) list.push(text);
    byName.set(name, list);
  }
  return [...byName].map(([name, texts]) => {
    const doc = (envVars as Record<string, { doc: string }>)[name]?.doc;
    const hint = secretNames.has(name) && input[name] !== undefined ? ' (secret: value not shown)' : '';
    return `${name}: ${texts.join('; ')}${hint}${doc ? ` (${doc})` : ''}`;
  });
}

/** Zod's messages, minus anything that could echo the input. */
function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'number' ? 'expected a number' : `expected ${issue.expected}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return `must be at least ${String(issue.minimum)}${issue.origin === 'string' ? ' characters' : ''}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}`;
    case 'invalid_format':
      return issue.format === 'regex' || issue.format === 'url' ? issue.message : `expected ${issue.format}`;
    default:
      return issue.message;
  }
}

import { z } from 'zod';
import { commandVars } from './schema/commands.ts';
import { coreVars } from './schema/core.ts';
import type { EnvVar } from './schema/env-var.ts';
import { httpVars } from './schema/http.ts';
import { jiraVars } from './schema/jira.ts';
import { pipelineVars } from './schema/pipeline.ts';
import { processingVars } from './schema/processing.ts';
import { syncVars } from './schema/sync.ts';
import { tokenVars } from './schema/tokens.ts';
import { trustVars } from './schema/trust.ts';

/** Every environment variable jira-relay reads, in README order. */
export const envVars = {
  ...coreVars,
  ...trustVars,
  ...httpVars,
  ...tokenVars,
  ...jiraVars,
  ...syncVars,
  ...pipelineVars,
  ...processingVars,
  ...commandVars,
} as const;

type Vars = typeof envVars;
export type EnvName = keyof Vars;

const shape = Object.fromEntries(
  Object.entries(envVars).map(([name, v]) => [name, (v as EnvVar).schema]),
) as {
  [K in EnvName]: Vars[K]['schema'];
};

export const configSchema = z.object(shape);

export type Config = Readonly<z.output<typeof configSchema>>;

export const secretNames: ReadonlySet<string> = new Set(
  Object.entries(envVars)
    .filter(([, v]) => (v as EnvVar).secret)
    .map(([name]) => name),
);

import type { z } from 'zod';

/** One environment variable: its parser, what it is for (README table), and whether it is a secret. */
export interface EnvVar<S extends z.ZodType = z.ZodType> {
  readonly schema: S;
  readonly doc: string;
  readonly secret: boolean;
}

export function envVar<S extends z.ZodType>(
  schema: S,
  doc: string,
  opts: { secret?: boolean } = {},
): EnvVar<S> {
  return { schema, doc, secret: opts.secret ?? false };
}

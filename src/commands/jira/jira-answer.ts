import type { z } from 'zod';
import { RelayError } from '../../errors.ts';

/**
 * Jira's answer to `what`, checked against the shape the write layer relies on. A 2xx body of
 * another shape is not retried (the same request gets the same answer): it is a non-retryable
 * `JIRA_HTTP` error, which `classifyJiraFailure` reports as `failed`.
 */
export function parseJiraAnswer<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const problem = parsed.error.issues[0];
  const where = problem ? `${problem.path.join('.') || '(root)'}: ${problem.message}` : 'unexpected shape';
  throw new RelayError('JIRA_HTTP', `unexpected answer from Jira to ${what} (${where})`);
}

/** A path segment: issue keys and ids are safe, but a command's text is not trusted to be. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}

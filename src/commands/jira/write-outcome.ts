import { BudgetExhaustedError } from '../../atlassian/budget/budget-exhausted-error.ts';
import { JiraHttpError } from '../../atlassian/jira/jira-http-error.ts';
import { isRelayError } from '../../errors.ts';
import { ReauthRequiredError } from '../../tokens/reauth-required-error.ts';

/**
 * What a failed Jira write means for its command:
 * - `failed`: Jira refused it (no permission, a field not on the screen or an invalid value, no such
 *   issue); the same request cannot succeed, and Jira's messages go into the result;
 * - `retry`: it may succeed later (5xx, 408, 409, 429, no answer, the budget postponed it), after
 *   `delayMs` when the server or the budget said how long;
 * - `rejected`: the relay cannot act for the site at all (the grant needs a new consent, or cannot
 *   be read).
 */
export type JiraFailureClass =
  | { readonly kind: 'failed'; readonly status: number | null; readonly messages: string[] }
  | { readonly kind: 'retry'; readonly delayMs?: number }
  | { readonly kind: 'rejected'; readonly reason: string };

const retriedStatuses = new Set([408, 409, 429]);

/** Sorts an error a write threw into failed, retry or rejected (see `JiraFailureClass`). */
export function classifyJiraFailure(err: unknown): JiraFailureClass {
  if (err instanceof JiraHttpError) return classifyHttp(err);
  // The budget postpones a call; it does not refuse the command.
  if (err instanceof BudgetExhaustedError) return { kind: 'retry', delayMs: err.retryAfterMs };
  if (err instanceof ReauthRequiredError) return { kind: 'rejected', reason: err.message };
  if (isRelayError(err)) {
    if (err.code === 'TOKEN_UNREADABLE') return { kind: 'rejected', reason: err.message };
    if (err.retryable) return { kind: 'retry' };
    return { kind: 'failed', status: null, messages: [err.message] };
  }
  // Not one of ours (a defect): retrying the same code would throw the same.
  return { kind: 'failed', status: null, messages: [err instanceof Error ? err.message : String(err)] };
}

function classifyHttp(err: JiraHttpError): JiraFailureClass {
  const { status } = err;
  if (status === null || status >= 500 || retriedStatuses.has(status)) {
    return err.retryAfterMs === null ? { kind: 'retry' } : { kind: 'retry', delayMs: err.retryAfterMs };
  }
  return { kind: 'failed', status, messages: err.messages.length > 0 ? [...err.messages] : [err.message] };
}

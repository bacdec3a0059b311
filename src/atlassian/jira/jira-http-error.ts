import { RelayError } from '../../errors.ts';

export interface JiraHttpErrorInit {
  readonly method: string;
  /** Path under the site's REST base, without the query (which may hold JQL). */
  readonly path: string;
  /** null when no response arrived (timeout, connection reset). */
  readonly status: number | null;
  /** How long to wait before trying again (429: the server's delay or backoff); null when unknown. */
  readonly retryAfterMs: number | null;
  /** `RateLimit-Reason` of a 429 (`jira-burst-based`, `jira-quota-global-based`, ...). */
  readonly rateLimitReason: string | null;
  /** Jira's `errorMessages` and `errors`, for the log and the dead letter. */
  readonly messages: readonly string[];
  readonly cause?: unknown;
}

/**
 * A Jira call that failed after the client's own retries. A 429 is `JIRA_RATE_LIMITED` and carries
 * the delay, so a job can be delayed by exactly that; 5xx, timeouts and 408 are retryable; other 4xx
 * are not (retrying the same request cannot succeed).
 */
export class JiraHttpError extends RelayError {
  readonly method: string;
  readonly path: string;
  readonly status: number | null;
  readonly retryAfterMs: number | null;
  readonly rateLimitReason: string | null;
  readonly messages: readonly string[];

  constructor(init: JiraHttpErrorInit) {
    const what = init.status === null ? 'no response' : `HTTP ${init.status}`;
    const detail = init.messages.length > 0 ? `: ${init.messages.slice(0, 3).join('; ')}` : '';
    super(
      init.status === 429 ? 'JIRA_RATE_LIMITED' : 'JIRA_HTTP',
      `Jira ${init.method} ${init.path} failed with ${what}${detail}`,
      {
        retryable: init.status === null || init.status === 408 || init.status === 429 || init.status >= 500,
        cause: init.cause,
      },
    );
    this.name = 'JiraHttpError';
    this.method = init.method;
    this.path = init.path;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
    this.rateLimitReason = init.rateLimitReason;
    this.messages = init.messages;
  }
}

/** Jira's error body: `{errorMessages: [...], errors: {field: message}}`; anything else is ignored. */
export function jiraErrorMessages(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const { errorMessages, errors } = body as { errorMessages?: unknown; errors?: unknown };
  const messages = Array.isArray(errorMessages) ? errorMessages.filter((m) => typeof m === 'string') : [];
  if (typeof errors === 'object' && errors !== null) {
    for (const [field, message] of Object.entries(errors)) {
      if (typeof message === 'string') messages.push(`${field}: ${message}`);
    }
  }
  return messages.map((m) => m.slice(0, 300));
}

/**
 * The cause to keep from a got error: its name, code and message only. The got error itself holds
 * the request options (the bearer token, a token request's client secret), which a logger would
 * print if anyone logged the cause.
 */
export function secretFreeCause(err: unknown): Error | undefined {
  if (!(err instanceof Error)) return undefined;
  const safe = new Error(err.message.slice(0, 500));
  safe.name = err.name;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') Object.assign(safe, { code });
  return safe;
}

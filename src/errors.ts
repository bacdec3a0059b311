/**
 * One error model for the relay. A code from a closed list says what went wrong; `retryable` says
 * whether doing the same thing again can succeed (a job retries, a request gets 503 instead of 4xx).
 * Add a code here rather than throwing plain `Error`s from product code.
 */
const errorCodes = [
  'CONFIG_INVALID',
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'PAYLOAD_TOO_LARGE',
  'UNAVAILABLE',
  'JIRA_HTTP',
  'JIRA_RATE_LIMITED',
  'JIRA_BUDGET_EXHAUSTED',
  'REAUTH_REQUIRED',
  'TOKEN_REFRESH_FAILED',
  'OAUTH_STATE_INVALID',
  'OAUTH_EXCHANGE_FAILED',
  'TOKEN_UNREADABLE',
  'STORE_CONFLICT',
  'KAFKA_PUBLISH_FAILED',
  'MAPPING_FAILED',
  'INVALID_PAYLOAD',
  'FUTURE_VERSION',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export class RelayError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, opts: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'RelayError';
    this.code = code;
    this.retryable = opts.retryable ?? false;
  }
}

export function isRelayError(err: unknown): err is RelayError {
  return err instanceof RelayError;
}

/**
 * When to retry a Jira call, and after how long: pure functions of the attempt, the response
 * status and headers, and the clock. The rules follow Atlassian's rate-limit guide: honour
 * `Retry-After`, else `X-RateLimit-Reset`, else back off exponentially (doubling from a base, capped,
 * jitter 0.7–1.3); quota 429s wait for the reset and are never waited out in place.
 */
export type ResponseHeaders = Readonly<Record<string, string | string[] | undefined>>;

export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

export interface RetryPolicy extends BackoffPolicy {
  /** Retries after the first attempt. */
  readonly limit: number;
  /** A 429 whose delay is longer goes back to the caller instead of being waited out. */
  readonly maxRateLimitWaitMs: number;
}

export interface RetryInput {
  /** 1 for the first retry. */
  readonly attempt: number;
  /** null when no response arrived (timeout, reset). */
  readonly status: number | null;
  /** Node error code of a failed request (`ETIMEDOUT`, `ECONNRESET`, ...). */
  readonly errorCode?: string | undefined;
  readonly headers: ResponseHeaders;
  readonly idempotent: boolean;
  readonly now: number;
}

const retriedStatuses = new Set([408, 429, 500, 502, 503, 504]);
/** Failures where the request may not have been processed; anything else (our own errors) is final. */
const transientErrorCodes = new Set([
  'ETIMEDOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ENOTFOUND',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNABORTED',
  'EHOSTUNREACH',
]);

function header(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The delay the server asked for: `Retry-After` (seconds or HTTP date), else `X-RateLimit-Reset`. */
export function serverDelayMs(headers: ResponseHeaders, now: number): number | null {
  const retryAfter = header(headers, 'retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.round(Number(retryAfter) * 1000);
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  const reset = header(headers, 'x-ratelimit-reset')?.trim();
  if (reset) {
    const at = Date.parse(reset);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  return null;
}

/** base × 2^(attempt−1), capped, times a random factor in [0.7, 1.3). */
export function backoffDelayMs(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(policy.baseMs * 2 ** Math.max(0, attempt - 1), policy.maxMs);
  return Math.round(exponential * (0.7 + 0.6 * random()));
}

/** The delay a 429 asks for: the server's, else backoff. */
export function rateLimitDelayMs(
  headers: ResponseHeaders,
  attempt: number,
  policy: BackoffPolicy,
  now: number,
  random: () => number = Math.random,
): number {
  return serverDelayMs(headers, now) ?? backoffDelayMs(attempt, policy, random);
}

/** `jira-quota-global-based` / `jira-quota-tenant-based`: every call waits for the reset. */
function isQuotaReason(reason: string | null): boolean {
  return reason?.startsWith('jira-quota') ?? false;
}

export function rateLimitReason(headers: ResponseHeaders): string | null {
  return header(headers, 'ratelimit-reason') ?? null;
}

/** Milliseconds to wait before retrying, or null to stop and report the failure. */
export function retryDelayMs(
  input: RetryInput,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | null {
  if (!input.idempotent || input.attempt > policy.limit) return null;
  if (input.status === null) {
    return input.errorCode && transientErrorCodes.has(input.errorCode)
      ? backoffDelayMs(input.attempt, policy, random)
      : null;
  }
  if (!retriedStatuses.has(input.status)) return null;
  if (input.status === 429) {
    if (isQuotaReason(rateLimitReason(input.headers))) return null;
    const delay = rateLimitDelayMs(input.headers, input.attempt, policy, input.now, random);
    return delay <= policy.maxRateLimitWaitMs ? delay : null;
  }
  // A 5xx may carry Retry-After too: it is the minimum.
  return Math.max(
    backoffDelayMs(input.attempt, policy, random),
    serverDelayMs(input.headers, input.now) ?? 0,
  );
}

import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  type RetryInput,
  type RetryPolicy,
  rateLimitDelayMs,
  retryDelayMs,
  serverDelayMs,
} from '../../../../src/atlassian/budget/retry-delay.ts';

const now = Date.parse('2026-03-02T10:00:00Z');
const policy: RetryPolicy = { limit: 3, baseMs: 2000, maxMs: 30_000, maxRateLimitWaitMs: 5000 };
const middle = () => 0.5; // jitter factor 1.0
const input = (over: Partial<RetryInput>): RetryInput => ({
  attempt: 1,
  status: 503,
  headers: {},
  idempotent: true,
  now,
  ...over,
});

describe('server-given delays', () => {
  it('reads Retry-After in seconds and as an HTTP date', () => {
    expect(serverDelayMs({ 'retry-after': '7' }, now)).toBe(7000);
    expect(serverDelayMs({ 'retry-after': 'Mon, 02 Mar 2026 10:00:30 GMT' }, now)).toBe(30_000);
  });

  it('falls back to X-RateLimit-Reset (ISO 8601, also the older minute form)', () => {
    expect(serverDelayMs({ 'x-ratelimit-reset': '2026-03-02T10:00:12Z' }, now)).toBe(12_000);
    expect(serverDelayMs({ 'x-ratelimit-reset': '2026-03-02T10:01Z' }, now)).toBe(60_000);
  });

  it('prefers Retry-After over X-RateLimit-Reset, never goes negative, and ignores garbage', () => {
    expect(serverDelayMs({ 'retry-after': '2', 'x-ratelimit-reset': '2026-03-02T11:00:00Z' }, now)).toBe(
      2000,
    );
    expect(serverDelayMs({ 'x-ratelimit-reset': '2026-03-02T09:00:00Z' }, now)).toBe(0);
    expect(serverDelayMs({ 'retry-after': 'soon' }, now)).toBeNull();
    expect(serverDelayMs({}, now)).toBeNull();
  });
});

describe('exponential backoff', () => {
  it('doubles from the base, caps, and stays inside the 0.7-1.3 jitter band', () => {
    expect(backoffDelayMs(1, policy, middle)).toBe(2000);
    expect(backoffDelayMs(3, policy, middle)).toBe(8000);
    expect(backoffDelayMs(10, policy, middle)).toBe(30_000);
    expect(backoffDelayMs(2, policy, () => 0)).toBe(2800);
    expect(backoffDelayMs(2, policy, () => 0.9999)).toBeLessThanOrEqual(5200);
  });

  it('gives a 429 without headers a backoff delay', () => {
    expect(rateLimitDelayMs({}, 2, policy, now, middle)).toBe(4000);
  });
});

describe('retry decisions', () => {
  it('retries a short burst 429 after exactly the server delay', () => {
    const headers = { 'retry-after': '1', 'ratelimit-reason': 'jira-burst-based' };
    expect(retryDelayMs(input({ status: 429, headers }), policy, middle)).toBe(1000);
  });

  it('hands a quota 429, or one longer than the in-place limit, back to the caller', () => {
    const quota = { 'retry-after': '1', 'ratelimit-reason': 'jira-quota-global-based' };
    expect(retryDelayMs(input({ status: 429, headers: quota }), policy, middle)).toBeNull();
    expect(retryDelayMs(input({ status: 429, headers: { 'retry-after': '60' } }), policy, middle)).toBeNull();
  });

  it('retries 5xx with backoff, with Retry-After as the minimum', () => {
    expect(retryDelayMs(input({ status: 502 }), policy, middle)).toBe(2000);
    expect(retryDelayMs(input({ status: 503, headers: { 'retry-after': '9' } }), policy, middle)).toBe(9000);
  });

  it('retries timeouts and resets, but not errors of our own', () => {
    expect(retryDelayMs(input({ status: null, errorCode: 'ETIMEDOUT' }), policy, middle)).toBe(2000);
    expect(retryDelayMs(input({ status: null, errorCode: 'ECONNRESET' }), policy, middle)).toBe(2000);
    expect(retryDelayMs(input({ status: null, errorCode: 'REAUTH_REQUIRED' }), policy, middle)).toBeNull();
  });

  it('never retries a non-idempotent call, a client error, or past the limit', () => {
    expect(retryDelayMs(input({ idempotent: false }), policy, middle)).toBeNull();
    expect(retryDelayMs(input({ status: 400 }), policy, middle)).toBeNull();
    expect(retryDelayMs(input({ status: 404 }), policy, middle)).toBeNull();
    expect(retryDelayMs(input({ attempt: 4 }), policy, middle)).toBeNull();
    expect(retryDelayMs(input({ attempt: 3 }), policy, middle)).toBe(8000);
  });
});

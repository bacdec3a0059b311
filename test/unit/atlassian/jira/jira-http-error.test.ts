import { describe, expect, it } from 'vitest';
import { JiraHttpError, jiraErrorMessages } from '../../../../src/atlassian/jira/jira-http-error.ts';

describe('JiraHttpError', () => {
  it('makes a 429 a retryable rate-limit error carrying its delay and reason', () => {
    const err = new JiraHttpError({
      method: 'POST',
      path: 'search/jql',
      status: 429,
      retryAfterMs: 3000,
      rateLimitReason: 'jira-burst-based',
      messages: ['Rate limit exceeded.'],
    });
    expect(err).toMatchObject({ code: 'JIRA_RATE_LIMITED', retryable: true, retryAfterMs: 3000 });
    expect(err.message).toContain('POST search/jql');
  });

  it('retries 5xx and lost responses, not other client errors', () => {
    const base = { method: 'GET', path: 'myself', retryAfterMs: null, rateLimitReason: null, messages: [] };
    expect(new JiraHttpError({ ...base, status: 503 }).retryable).toBe(true);
    expect(new JiraHttpError({ ...base, status: null }).retryable).toBe(true);
    expect(new JiraHttpError({ ...base, status: 400 }).retryable).toBe(false);
    expect(new JiraHttpError({ ...base, status: 404 }).code).toBe('JIRA_HTTP');
  });

  it("reads Jira's error body, and nothing from bodies of another shape", () => {
    expect(
      jiraErrorMessages({ errorMessages: ['Issue does not exist'], errors: { summary: 'required' } }),
    ).toEqual(['Issue does not exist', 'summary: required']);
    expect(jiraErrorMessages('<html>Too many requests</html>')).toEqual([]);
    expect(jiraErrorMessages(null)).toEqual([]);
  });
});

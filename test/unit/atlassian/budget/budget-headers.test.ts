import { describe, expect, it } from 'vitest';
import { quotaReadings, rateLimitKind } from '../../../../src/atlassian/budget/budget-headers.ts';

describe('reading Jira rate-limit headers', () => {
  it.each([
    ['jira-quota-global-based', 'quota-global'],
    ['jira-cost-based', 'quota-global'],
    ['jira-quota-tenant-based', 'quota-tenant'],
    ['jira-burst-based', 'burst'],
    ['jira-per-issue-on-write', 'per-issue'],
    ['jira-max-concurrent-threads-across-all-instances-per-tenant-per-user', 'burst'],
  ])('RateLimit-Reason %s is a %s limit', (reason, kind) => {
    expect(rateLimitKind({ 'ratelimit-reason': reason })).toBe(kind);
  });

  it('treats a 429 without a reason (a gateway incident) as a burst', () => {
    expect(rateLimitKind({})).toBe('burst');
  });

  it('reads the remaining points of each policy, with or without the Beta- prefix, in any order', () => {
    expect(
      quotaReadings({
        'beta-ratelimit-policy': '"jira-burst-based";q=100;w=1, "global-app-quota";q=65000;w=3600',
        'beta-ratelimit': '"global-app-quota";r=11000;t=600',
      }),
    ).toEqual([{ policy: 'global-app-quota', quota: 65000, remaining: 11000 }]);
    expect(
      quotaReadings({
        'ratelimit-policy': '"tenant-app-quota";q=100000;w=3600',
        ratelimit: '"tenant-app-quota";t=60;r=5',
      }),
    ).toEqual([{ policy: 'tenant-app-quota', quota: 100000, remaining: 5 }]);
  });

  it('has nothing to say far from the limit, where Jira sends no remaining figure', () => {
    expect(quotaReadings({ 'beta-ratelimit-policy': '"global-app-quota";q=65000;w=3600' })).toEqual([]);
    expect(quotaReadings({ 'beta-ratelimit': '"global-app-quota";r=1;t=6' })).toEqual([]);
  });
});

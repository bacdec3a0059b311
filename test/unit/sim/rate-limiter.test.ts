import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../../sim/options.ts';
import { RateLimiter } from '../../sim/rate-limiter.ts';
import { createStats } from '../../sim/stats.ts';

const HOUR = 3_600_000;
const limiter = (o: Parameters<typeof resolveOptions>[0]) =>
  new RateLimiter(resolveOptions(o), createStats());

describe('RateLimiter', () => {
  it('refuses once the window quota is spent and starts afresh at the boundary', () => {
    const l = limiter({ pointsPerWindow: 10 });
    const t = 5 * HOUR + 1000;
    l.charge(t, 'site-a', 6, 'GET /issue');
    expect(l.checkQuota(t)).toBeUndefined();
    l.charge(t, 'site-b', 4, 'GET /issue');
    const verdict = l.checkQuota(t + 1000);
    expect(verdict?.reason).toBe('jira-quota-global-based');
    expect(verdict?.retryAfterSeconds).toBe(3598);
    expect(verdict?.headers['x-ratelimit-reset']).toBe(
      new Date(6 * HOUR).toISOString().replace('.000Z', 'Z'),
    );
    expect(l.checkQuota(6 * HOUR - 1)).toBeDefined();
    expect(l.checkQuota(6 * HOUR)).toBeUndefined();
  });

  it('refills burst buckets with time', () => {
    const l = limiter({ burstGetPostPerSecond: 2 });
    expect(l.checkBurst(0, 's', 'GET', '/x')).toBeUndefined();
    expect(l.checkBurst(0, 's', 'GET', '/x')).toBeUndefined();
    expect(l.checkBurst(0, 's', 'GET', '/x')?.reason).toBe('jira-burst-based');
    expect(l.checkBurst(0, 's', 'POST', '/x')).toBeUndefined(); // per method
    expect(l.checkBurst(500, 's', 'GET', '/x')).toBeUndefined(); // half a second = one token
  });

  it('applies every per-issue write window', () => {
    const l = limiter({
      perIssueWriteLimits: [
        [2, 1],
        [3, 10],
      ],
    });
    expect(l.checkIssueWrite(0, 's', '1')).toBeUndefined();
    expect(l.checkIssueWrite(10, 's', '1')).toBeUndefined();
    expect(l.checkIssueWrite(20, 's', '1')?.retryAfterSeconds).toBe(1);
    expect(l.checkIssueWrite(1500, 's', '1')).toBeUndefined(); // third write in 10 s
    const verdict = l.checkIssueWrite(3000, 's', '1');
    expect(verdict?.reason).toBe('jira-per-issue-on-write');
    expect(verdict?.retryAfterSeconds).toBe(7);
    expect(l.checkIssueWrite(3000, 's', '2')).toBeUndefined();
  });
});

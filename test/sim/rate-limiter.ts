import type { ResolvedOptions } from './options.ts';
import { bump, type SimStats } from './stats.ts';

export interface LimitVerdict {
  readonly reason: string;
  readonly retryAfterSeconds: number;
  readonly resetAt: number;
  readonly headers: Record<string, string>;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Jira's three independent limits (2026): an hourly points quota per app shared by every site
 * (cost 1 + objects returned, reset at the window boundary, hard wall), token-bucket bursts per
 * site, endpoint and method, and per-issue write windows.
 */
export class RateLimiter {
  private readonly options: ResolvedOptions;
  private readonly stats: SimStats;
  private window = -1;
  private spent = 0;
  private readonly buckets = new Map<string, Bucket>();
  private readonly writes = new Map<string, number[]>();

  constructor(options: ResolvedOptions, stats: SimStats) {
    this.options = options;
    this.stats = stats;
  }

  /** 429 verdict when the quota of the current window is spent. */
  checkQuota(now: number): LimitVerdict | undefined {
    this.roll(now);
    if (this.spent < this.options.pointsPerWindow) return undefined;
    const resetAt = this.windowEnd(now);
    return this.verdict('jira-quota-global-based', resetAt, now, this.quotaHeaders(now));
  }

  charge(now: number, cloudId: string, points: number, route: string): void {
    this.roll(now);
    this.spent += points;
    this.stats.pointsThisWindow = this.spent;
    bump(this.stats.pointsBySite, cloudId, points);
    bump(this.stats.pointsByRoute, route, points);
  }

  /** The Beta-RateLimit headers every response carries; `r`/`t` appear only above 80% usage. */
  quotaHeaders(now: number): Record<string, string> {
    this.roll(now);
    const q = this.options.pointsPerWindow;
    const remaining = Math.max(0, q - this.spent);
    const headers: Record<string, string> = {
      'beta-ratelimit-policy': `"global-app-quota";q=${q};w=${this.options.quotaWindowSeconds}`,
    };
    if (remaining < q * 0.2) {
      const t = Math.ceil((this.windowEnd(now) - now) / 1000);
      headers['beta-ratelimit'] = `"global-app-quota";r=${remaining};t=${t}`;
      headers['x-ratelimit-nearlimit'] = 'true';
    }
    return headers;
  }

  /** Token bucket per site, endpoint and method: capacity one second's worth. */
  checkBurst(now: number, cloudId: string, method: string, route: string): LimitVerdict | undefined {
    const write = method === 'PUT' || method === 'DELETE';
    const rate = write ? this.options.burstPutDeletePerSecond : this.options.burstGetPostPerSecond;
    if (rate <= 0) return undefined;
    const key = `${cloudId} ${method} ${route}`;
    const bucket = this.buckets.get(key) ?? { tokens: rate, at: now };
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    const waitMs = ((1 - bucket.tokens) / rate) * 1000;
    return this.verdict('jira-burst-based', now + waitMs, now, {
      'x-ratelimit-limit': String(rate),
      'x-ratelimit-remaining': '0',
    });
  }

  /** Sliding windows of writes per issue (20 per 2 s and 100 per 30 s by default). */
  checkIssueWrite(now: number, cloudId: string, issueId: string): LimitVerdict | undefined {
    const key = `${cloudId}/${issueId}`;
    const longest = Math.max(0, ...this.options.perIssueWriteLimits.map(([, s]) => s * 1000));
    const log = (this.writes.get(key) ?? []).filter((t) => now - t < longest);
    for (const [count, seconds] of this.options.perIssueWriteLimits) {
      const inWindow = log.filter((t) => now - t < seconds * 1000);
      if (inWindow.length >= count) {
        this.writes.set(key, log);
        const resetAt = (inWindow[inWindow.length - count] as number) + seconds * 1000;
        return this.verdict('jira-per-issue-on-write', resetAt, now, {
          'x-ratelimit-limit': String(count),
          'x-ratelimit-remaining': '0',
        });
      }
    }
    log.push(now);
    this.writes.set(key, log);
    return undefined;
  }

  private verdict(reason: string, resetAt: number, now: number, extra: Record<string, string>): LimitVerdict {
    const retryAfterSeconds = Math.max(1, Math.ceil((resetAt - now) / 1000));
    this.stats.rateLimited[reason] = (this.stats.rateLimited[reason] ?? 0) + 1;
    return {
      reason,
      retryAfterSeconds,
      resetAt,
      headers: {
        ...extra,
        'retry-after': String(retryAfterSeconds),
        'x-ratelimit-reset': new Date(resetAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        'ratelimit-reason': reason,
      },
    };
  }

  private roll(now: number): void {
    const window = Math.floor(now / (this.options.quotaWindowSeconds * 1000));
    if (window !== this.window) {
      this.window = window;
      this.spent = 0;
      this.stats.pointsThisWindow = 0;
    }
  }

  private windowEnd(now: number): number {
    const size = this.options.quotaWindowSeconds * 1000;
    return (Math.floor(now / size) + 1) * size;
  }
}

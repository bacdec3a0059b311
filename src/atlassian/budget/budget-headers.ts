import { type ResponseHeaders, rateLimitReason } from './retry-delay.ts';

/**
 * What a 429 asks of the relay, by `RateLimit-Reason` (Atlassian's guide): a quota stops every call
 * of the pool until the reset (global: the app's pool; tenant: that site's); a burst slows that site's
 * endpoint and method; a per-issue limit spaces writes to that issue. A 429 without a known reason
 * (gateway incidents send none) is treated as a burst: the narrowest pause that still backs off.
 */
export type RateLimitKind = 'quota-global' | 'quota-tenant' | 'burst' | 'per-issue';

export function rateLimitKind(headers: ResponseHeaders): RateLimitKind {
  const reason = rateLimitReason(headers) ?? '';
  if (reason === 'jira-quota-tenant-based') return 'quota-tenant';
  // `jira-quota-global-based`, and the legacy `jira-cost-based` quota.
  if (reason.startsWith('jira-quota') || reason === 'jira-cost-based') return 'quota-global';
  if (reason === 'jira-per-issue-on-write') return 'per-issue';
  return 'burst';
}

/** One entry of `(Beta-)RateLimit`: `"global-app-quota";r=11000;t=600`. */
export interface QuotaReading {
  readonly policy: string;
  /** The quota of the window, from `(Beta-)RateLimit-Policy` (`q=`). */
  readonly quota: number;
  /** Points left in the window; Jira sends it only above about 80% used. */
  readonly remaining: number;
}

/**
 * The server's view of a points quota, when the response carries it: the policy's size from
 * `RateLimit-Policy` and what is left from `RateLimit` (with or without the `Beta-` prefix, in any
 * order, entries separated by commas). Empty when the response carries no remaining figure.
 */
export function quotaReadings(headers: ResponseHeaders): QuotaReading[] {
  const quotas = entries(first(headers, 'ratelimit-policy') ?? first(headers, 'beta-ratelimit-policy'));
  const remaining = entries(first(headers, 'ratelimit') ?? first(headers, 'beta-ratelimit'));
  const readings: QuotaReading[] = [];
  for (const [policy, params] of remaining) {
    const q = Number(quotas.get(policy)?.get('q'));
    const r = Number(params.get('r'));
    if (Number.isFinite(q) && q > 0 && params.has('r') && Number.isFinite(r)) {
      readings.push({ policy, quota: q, remaining: r });
    }
  }
  return readings;
}

function first(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** `"a";q=1;w=2, "b";r=3` -> a: {q: 1, w: 2}, b: {r: 3}. */
function entries(value: string | undefined): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const entry of (value ?? '').split(',')) {
    const [name, ...params] = entry.split(';').map((p) => p.trim());
    if (!name) continue;
    const values = new Map<string, string>();
    for (const param of params) {
      const [key, v] = param.split('=').map((p) => p.trim());
      if (key && v !== undefined) values.set(key, v);
    }
    out.set(name.replace(/^"|"$/g, ''), values);
  }
  return out;
}

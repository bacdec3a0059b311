import { describe, expect, it } from 'vitest';
import { BudgetExhaustedError } from '../../../../src/atlassian/budget/budget-exhausted-error.ts';
import type { JiraBudgetOptions } from '../../../../src/atlassian/budget/budget-options.ts';
import { RedisJiraBudget } from '../../../../src/atlassian/budget/redis-jira-budget.ts';
import type { BudgetedRequest } from '../../../../src/atlassian/budget/request-budget.ts';
import { createLogger } from '../../../../src/logger.ts';
import { testRedis, uniqueName } from '../../../helpers/services.ts';

const WINDOW = 60_000;
/** A clock the test moves by hand, placed at the start of a window. */
function clock() {
  const state = { t: Math.ceil(Date.now() / WINDOW) * WINDOW + 1 };
  return {
    now: () => state.t,
    advance(ms: number) {
      state.t += ms;
    },
  };
}

function budget(overrides: Partial<JiraBudgetOptions> = {}) {
  const c = clock();
  const b = new RedisJiraBudget(testRedis(), {
    prefix: uniqueName('budget'),
    pointsPerWindow: 1000,
    windowMs: WINDOW,
    pool: 'app',
    siteMaxRps: 1000,
    webhookReserveShare: 0.1,
    pollReserveShare: 0.1,
    activeTtlMs: 10_000,
    shareRetryMs: 500,
    maxWaitMs: 0,
    issueWriteSpacingMs: 300,
    log: createLogger({ level: 'silent' }),
    now: c.now,
    ...overrides,
  });
  return { budget: b, clock: c };
}

function call(site: string, cost: number, extra: Partial<BudgetedRequest> = {}): BudgetedRequest {
  return {
    site,
    cloudId: `cloud-${site}`,
    method: 'POST',
    routeClass: 'search',
    estimatedCost: cost,
    ...extra,
  };
}

async function refusal(promise: Promise<unknown>): Promise<BudgetExhaustedError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof BudgetExhaustedError)) throw new Error(`expected a refusal, got ${String(err)}`);
  return err;
}

const quota429 = (retryAfter: string) => ({
  status: 429,
  headers: { 'retry-after': retryAfter, 'ratelimit-reason': 'jira-quota-global-based' },
});

describe('the Jira points budget in Redis', () => {
  it('charges the estimate, settles to the actual cost, and refunds a 429', async () => {
    const { budget: b } = budget();
    const req = call('a.atlassian.net', 101);
    await b.beforeRequest('poll', req);
    expect((await b.snapshot()).spent).toBe(101);
    await b.settle(req, 3);
    expect((await b.snapshot()).spent).toBe(3);
    await b.beforeRequest('poll', call('a.atlassian.net', 50));
    await b.afterResponse(call('a.atlassian.net', 50), { status: 429, headers: { 'retry-after': '1' } });
    const snap = await b.snapshot();
    expect(snap.spent).toBe(3);
    expect(snap.spentBySite).toEqual({ 'a.atlassian.net': 3 });
    expect(await b.lifetimePoints()).toEqual({ 'a.atlassian.net': 3 });
  });

  it('stops a priority at its cap for the rest of the window and starts afresh in the next', async () => {
    const { budget: b, clock: c } = budget();
    expect(b.capOf('backfill')).toBe(800);
    for (let i = 0; i < 8; i++) await b.beforeRequest('backfill', call('a.atlassian.net', 100));
    const denied = await refusal(b.beforeRequest('backfill', call('a.atlassian.net', 1)));
    expect(denied.reason).toBe('window');
    expect(denied.retryAfterMs).toBe(WINDOW - 1);
    // Higher priorities still have their reserve: polls up to 900, webhook work up to 1000.
    await b.beforeRequest('poll', call('a.atlassian.net', 100));
    expect((await refusal(b.beforeRequest('poll', call('a.atlassian.net', 1)))).reason).toBe('window');
    await b.beforeRequest('webhook', call('a.atlassian.net', 100));
    c.advance(WINDOW);
    await b.beforeRequest('backfill', call('a.atlassian.net', 100));
    expect((await b.snapshot()).spent).toBe(100);
  });

  it('shares the window max-min fairly between the sites with work, and releases a share when a site is done', async () => {
    const { budget: b } = budget();
    const big = 'big.atlassian.net';
    const small = 'small.atlassian.net';
    await b.beforeRequest('backfill', call(big, 100));
    await b.beforeRequest('backfill', call(small, 50));
    // Cap 800, two active sites: the big one may reach 400 while the small one still has work.
    for (let i = 0; i < 3; i++) await b.beforeRequest('backfill', call(big, 100));
    const over = await refusal(b.beforeRequest('backfill', call(big, 100)));
    expect(over.reason).toBe('share');
    expect(over.retryAfterMs).toBe(500);
    // The small site is under its share and may go on.
    await b.beforeRequest('backfill', call(small, 50));
    await b.leave(small);
    for (let i = 0; i < 3; i++) await b.beforeRequest('backfill', call(big, 100));
    expect((await b.snapshot()).spentBySite).toEqual({ [big]: 700, [small]: 100 });
  });

  it('decides each share as the max-min water level over every active site would', async () => {
    const { budget: b } = budget({ pointsPerWindow: 20_000 });
    const cap = b.capOf('backfill');
    const sites = Array.from({ length: 300 }, (_, i) => `s${i}.atlassian.net`);
    const random = seeded(7);
    const decided = { ok: 0, share: 0 };
    for (let i = 0; i < 1500; i++) {
      const site = sites[Math.floor(random() ** 2 * sites.length)] ?? 'none';
      const cost = 1 + Math.floor(random() * 40);
      const { spent, spentBySite } = await b.snapshot();
      const active = sites.filter((s) => s === site || s in spentBySite);
      const spends = active.map((s) => spentBySite[s] ?? 0);
      const mine = spentBySite[site] ?? 0;
      const fits = active.length < 2 || mine === 0 || mine + cost <= waterLevel(spends, cap - spent);
      const outcome = await b.beforeRequest('backfill', call(site, cost)).then(
        () => 'ok' as const,
        (err: unknown) => (err instanceof BudgetExhaustedError ? err.reason : 'error'),
      );
      if (cap - spent >= cost)
        expect({ i, site, outcome }).toEqual({ i, site, outcome: fits ? 'ok' : 'share' });
      if (outcome === 'ok' || outcome === 'share') decided[outcome]++;
    }
    // Both answers were exercised.
    expect(decided.ok).toBeGreaterThan(100);
    expect(decided.share).toBeGreaterThan(100);
  });

  it('still shares the window with 9,000 active sites (Lua unpack stops near 8,000)', async () => {
    const { budget: b } = budget({ pointsPerWindow: 100_000 });
    const sites = Array.from({ length: 9000 }, (_, i) => `many-${i}.atlassian.net`);
    for (let i = 0; i < sites.length; i += 500) {
      await Promise.all(sites.slice(i, i + 500).map((s) => b.beforeRequest('backfill', call(s, 1))));
    }
    // A cap of 80,000 over 9,000 sites: a level of 8.9 each. A site at 1 may take 7 more, not 20.
    await b.beforeRequest('backfill', call(sites[0] ?? '', 7));
    expect((await refusal(b.beforeRequest('backfill', call(sites[1] ?? '', 20)))).reason).toBe('share');
    expect((await b.snapshot()).activeSites).toBe(9000);
  });

  it('does not hold shares for webhook-driven calls: they spend up to the whole window', async () => {
    const { budget: b } = budget();
    await b.beforeRequest('backfill', call('other.atlassian.net', 100));
    for (let i = 0; i < 9; i++) await b.beforeRequest('webhook', call('a.atlassian.net', 100));
    expect((await b.snapshot()).spent).toBe(1000);
  });

  it('caps the request rate of each site, not of the others', async () => {
    const { budget: b } = budget({ siteMaxRps: 10 });
    for (let i = 0; i < 10; i++) await b.beforeRequest('poll', call('a.atlassian.net', 1));
    const limited = await refusal(b.beforeRequest('poll', call('a.atlassian.net', 1)));
    expect(limited.reason).toBe('rate');
    expect(limited.retryAfterMs).toBe(100);
    await b.beforeRequest('poll', call('b.atlassian.net', 1));
  });

  it('waits in place for short pauses', async () => {
    const { budget: b } = budget({ siteMaxRps: 10, maxWaitMs: 1000, now: Date.now });
    const started = Date.now();
    for (let i = 0; i < 13; i++) await b.beforeRequest('poll', call('a.atlassian.net', 1));
    // 10 go at once (one second's worth), the next three one interval (100 ms) apart.
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('after a quota 429 refuses every call of every site and priority until the reset', async () => {
    const { budget: b, clock: c } = budget();
    await b.afterResponse(call('a.atlassian.net', 1), quota429('30'));
    for (const priority of ['webhook', 'poll', 'backfill'] as const) {
      const denied = await refusal(b.beforeRequest(priority, call('z.atlassian.net', 1)));
      expect(denied).toMatchObject({ reason: 'quota', retryAfterMs: 30_000 });
    }
    expect(await b.quotaBlockedMs('z.atlassian.net')).toBe(30_000);
    c.advance(30_000);
    await b.beforeRequest('poll', call('z.atlassian.net', 1));
  });

  it('after a burst 429 pauses only that site, method and endpoint', async () => {
    const { budget: b, clock: c } = budget();
    await b.afterResponse(call('a.atlassian.net', 1), {
      status: 429,
      headers: { 'retry-after': '2', 'ratelimit-reason': 'jira-burst-based' },
    });
    expect((await refusal(b.beforeRequest('poll', call('a.atlassian.net', 1)))).reason).toBe('burst');
    await b.beforeRequest('poll', call('a.atlassian.net', 1, { routeClass: 'issue-bulkfetch' }));
    await b.beforeRequest('poll', call('a.atlassian.net', 1, { method: 'GET' }));
    await b.beforeRequest('poll', call('b.atlassian.net', 1));
    c.advance(2000);
    await b.beforeRequest('poll', call('a.atlassian.net', 1));
  });

  it('after a per-issue 429 spaces writes to that issue and lets other issues write', async () => {
    const { budget: b, clock: c } = budget();
    const write = (issueId: string) => ({ ...call('a.atlassian.net', 1, { method: 'PUT' }), issueId });
    await b.afterResponse(write('10001'), {
      status: 429,
      headers: { 'retry-after': '1', 'ratelimit-reason': 'jira-per-issue-on-write' },
    });
    expect((await refusal(b.beforeRequest('webhook', write('10001')))).reason).toBe('issue');
    await b.beforeRequest('webhook', write('10002'));
    c.advance(1000);
    await b.beforeRequest('webhook', write('10001'));
    // From now on writes to that issue are spaced.
    const spaced = await refusal(b.beforeRequest('webhook', write('10001')));
    expect(spaced).toMatchObject({ reason: 'issue', retryAfterMs: 300 });
  });

  it('with JIRA_RATE_POOL=site gives every site a window of its own', async () => {
    const { budget: b } = budget({ pool: 'site' });
    for (let i = 0; i < 8; i++) await b.beforeRequest('backfill', call('a.atlassian.net', 100));
    await refusal(b.beforeRequest('backfill', call('a.atlassian.net', 100)));
    for (let i = 0; i < 8; i++) await b.beforeRequest('backfill', call('b.atlassian.net', 100));
    expect((await b.snapshot('b.atlassian.net')).spent).toBe(800);
  });

  it("believes the server's remaining points when it has counted more than we did", async () => {
    const { budget: b } = budget();
    await b.beforeRequest('poll', call('a.atlassian.net', 10));
    await b.afterResponse(call('a.atlassian.net', 10), {
      status: 200,
      headers: {
        'beta-ratelimit-policy': '"global-app-quota";q=2000;w=3600',
        'beta-ratelimit': '"global-app-quota";r=200;t=60',
      },
    });
    // 1800 of 2000 spent on the server's scale is 900 of our 1000.
    expect((await b.snapshot()).spent).toBe(900);
  });
});

/** What each active site may spend: the level that `left` points poured onto their spending reach. */
function waterLevel(spends: readonly number[], left: number): number {
  const sorted = [...spends].sort((x, y) => x - y);
  const remaining = Math.max(0, left);
  let sum = 0;
  let level = remaining;
  for (let k = 1; k <= sorted.length; k++) {
    sum += sorted[k - 1] ?? 0;
    level = (remaining + sum) / k;
    if (k === sorted.length || level <= (sorted[k] ?? 0)) break;
  }
  return level;
}

/** A small deterministic random source, so a failure can be replayed. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

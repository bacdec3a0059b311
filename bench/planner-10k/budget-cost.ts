import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisJiraBudget } from '../../src/atlassian/budget/redis-jira-budget.ts';
import { createLogger } from '../../src/logger.ts';
import { deleteKeysAt } from '../../test/helpers/redis-keys.ts';
import { inBatches } from './fleet.ts';

/** What one budget check of a sync call costs with this many sites holding a fair share open. */
export interface BudgetCheckCost {
  readonly activeSites: number;
  /** Real time of one `beforeRequest` (the acquire script and its round trip), one call at a time. */
  readonly msPerCheck: number | null;
  /** What Redis answered when the check failed. */
  readonly error: string | null;
}

/**
 * The app pool's fair share is computed in the acquire script on every sync call of a site that
 * already spent in the window: it reads and sorts the spend of every active site. This times that
 * check on the real RedisJiraBudget (unique prefix, removed afterwards) with 10 to `largest` active
 * sites, far from the cap, so every call is let through and only the sort's cost grows. Lua's
 * `unpack` takes at most about 8,000 values, so 7,999 and 8,000 active sites are both tried.
 */
export async function measureBudgetCheck(redisUrl: string, largest: number): Promise<BudgetCheckCost[]> {
  const sizes = [10, 100, 1000, 4000, 7999, 8000, 10_000].filter((n) => n <= largest);
  const out: BudgetCheckCost[] = [];
  for (const active of sizes) out.push(await timeChecks(redisUrl, active));
  return out;
}

async function timeChecks(redisUrl: string, active: number): Promise<BudgetCheckCost> {
  const prefix = `bench-planner-budget-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const now = Date.UTC(2026, 0, 5, 0, 30);
  const budget = new RedisJiraBudget(redis, {
    prefix,
    pointsPerWindow: Number.MAX_SAFE_INTEGER / 4,
    windowMs: 3_600_000,
    pool: 'app',
    siteMaxRps: 1_000_000,
    webhookReserveShare: 0.1,
    pollReserveShare: 0.1,
    activeTtlMs: 3_600_000,
    shareRetryMs: 1000,
    maxWaitMs: 0,
    issueWriteSpacingMs: 300,
    log: createLogger({ level: 'silent' }),
    now: () => now,
  });
  const call = (i: number) => ({
    site: `site-${i}.atlassian.net`,
    cloudId: `cloud-${i}`,
    method: 'POST',
    routeClass: 'search',
    estimatedCost: 1,
  });
  const sites = Array.from({ length: active }, (_, i) => i);
  try {
    await inBatches(sites, 200, (i) => budget.beforeRequest('poll', call(i)));
    const checks = 100;
    const started = performance.now();
    for (let k = 0; k < checks; k++) await budget.beforeRequest('poll', call((k * 7919) % active));
    return { activeSites: active, msPerCheck: (performance.now() - started) / checks, error: null };
  } catch (err) {
    return { activeSites: active, msPerCheck: null, error: err instanceof Error ? err.message : String(err) };
  } finally {
    redis.disconnect();
    await deleteKeysAt(redisUrl, prefix);
  }
}

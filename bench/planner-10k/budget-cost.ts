import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { BudgetExhaustedError } from '../../src/atlassian/budget/budget-exhausted-error.ts';
import { RedisJiraBudget } from '../../src/atlassian/budget/redis-jira-budget.ts';
import { createLogger } from '../../src/logger.ts';
import { deleteKeysAt } from '../../test/helpers/redis-keys.ts';
import { inBatches } from './fleet.ts';

/** What one budget check of a sync call costs with this many sites holding a fair share open. */
export interface BudgetCheckCost {
  readonly activeSites: number;
  /** Real time of one `beforeRequest` (the acquire script and its round trip), one call at a time, far from the cap. */
  readonly msPerCheck: number | null;
  /** The same near the cap, where the script walks the active sites' spend; and the share of those calls refused. */
  readonly msPerCheckNearCap?: number | null;
  readonly refusedNearCap?: number | null;
  /** What Redis answered when the check failed. */
  readonly error: string | null;
}

/**
 * The app pool's fair share is decided in the acquire script on every sync call of a site that
 * already spent in the window. This times that check on the real RedisJiraBudget (unique prefix,
 * removed afterwards) with 10 to `largest` active sites, twice:
 * - far from the cap, where every call fits whatever the others spent (the script's short path);
 * - near it: each site spent 1 to 5 points and the pool leaves about 6.5 a site, so each call of 3
 *   points walks the sites that spent less than the caller until the water runs out, and about
 *   half are refused.
 * Up to 2026-12-05 the script read and sorted every active site's spend, through Lua's `unpack`,
 * which takes at most about 8,000 values: 7,999 and 8,000 active sites are both tried.
 */
export async function measureBudgetCheck(redisUrl: string, largest: number): Promise<BudgetCheckCost[]> {
  const sizes = [10, 100, 1000, 4000, 7999, 8000, 10_000].filter((n) => n <= largest);
  const out: BudgetCheckCost[] = [];
  for (const active of sizes) {
    const far = await timeChecks(redisUrl, active, false);
    const near = await timeChecks(redisUrl, active, true);
    out.push({ ...far, msPerCheckNearCap: near.msPerCheck, refusedNearCap: near.refused });
  }
  return out;
}

async function timeChecks(
  redisUrl: string,
  active: number,
  nearCap: boolean,
): Promise<BudgetCheckCost & { refused: number | null }> {
  const prefix = `bench-planner-budget-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const now = Date.UTC(2026, 0, 5, 0, 30);
  const budget = new RedisJiraBudget(redis, {
    prefix,
    // The poll cap is 90% of it: about 6.5 points a site near the cap, far more than anyone asks far from it.
    pointsPerWindow: nearCap ? Math.ceil((active * 6.5) / 0.9) : Number.MAX_SAFE_INTEGER / 4,
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
    await inBatches(sites, 200, (i) =>
      budget.beforeRequest('poll', { ...call(i), estimatedCost: 1 + (i % 5) }),
    );
    const checks = 100;
    let refused = 0;
    const started = performance.now();
    for (let k = 0; k < checks; k++) {
      const request = { ...call((k * 7919) % active), estimatedCost: nearCap ? 3 : 1 };
      await budget.beforeRequest('poll', request).catch((err: unknown) => {
        if (!(err instanceof BudgetExhaustedError)) throw err;
        refused++;
      });
    }
    const msPerCheck = (performance.now() - started) / checks;
    return { activeSites: active, msPerCheck, refused: refused / checks, error: null };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return { activeSites: active, msPerCheck: null, refused: null, error };
  } finally {
    redis.disconnect();
    await deleteKeysAt(redisUrl, prefix);
  }
}

import { setTimeout as sleep } from 'node:timers/promises';
import { type RedisClient, slotTag } from '../../state/redis-client.ts';
import { BudgetExhaustedError } from './budget-exhausted-error.ts';
import { quotaReadings, rateLimitKind } from './budget-headers.ts';
import { BudgetKeys } from './budget-keys.ts';
import type { BudgetSnapshot, JiraBudgetOptions } from './budget-options.ts';
import { acquireScript, adjustScript, pauseScript } from './budget-scripts.ts';
import type { BudgetedRequest, BudgetedResponse, RequestBudget } from './request-budget.ts';
import { serverDelayMs } from './retry-delay.ts';

/**
 * Who a call is for, highest first: webhook-driven enrichment and writes, incremental polls, then
 * backfills and deletion reconciles. Lower priorities stop earlier in each window, so the points
 * they leave are there for the higher ones.
 */
export type BudgetPriority = 'webhook' | 'poll' | 'backfill' | 'reconcile';

/** A request that may name the issue it writes to, so per-issue 429s space writes to that issue only. */
export interface IssueWriteRequest extends BudgetedRequest {
  readonly issueId?: string;
}

interface Commands {
  budgetAcquire(...args: (string | number)[]): Promise<[string, number]>;
  budgetAdjust(...args: (string | number)[]): Promise<number>;
  budgetPause(key: string, until: string, ttl: string): Promise<number>;
}

/**
 * The Jira points budget, shared through Redis by every process. Each call is charged its estimate
 * before it is made and corrected afterwards (429s and 401s are refunded; callers that counted the
 * objects settle the difference; the server's own remaining figure wins when it says more is spent).
 * Sync work shares the window max-min fairly between the sites that have work; a per-site request
 * rate is capped; 429s pause what their `RateLimit-Reason` names.
 */
export class RedisJiraBudget {
  readonly #redis: RedisClient & Commands;
  readonly #o: JiraBudgetOptions;
  readonly #now: () => number;
  readonly #views = new Map<BudgetPriority, RequestBudget>();
  readonly #keys: BudgetKeys;

  constructor(redis: RedisClient, opts: JiraBudgetOptions) {
    redis.defineCommand('budgetAcquire', { numberOfKeys: 10, lua: acquireScript });
    redis.defineCommand('budgetAdjust', { numberOfKeys: 4, lua: adjustScript });
    redis.defineCommand('budgetPause', { numberOfKeys: 1, lua: pauseScript });
    this.#redis = redis as RedisClient & Commands;
    this.#o = opts;
    this.#now = opts.now ?? Date.now;
    this.#keys = new BudgetKeys(opts.prefix, opts.pool, slotTag(redis, 'budget'));
  }

  /** The port the Jira client calls, for work of one priority. */
  forPriority(priority: BudgetPriority): RequestBudget {
    let view = this.#views.get(priority);
    if (!view) {
      view = {
        beforeRequest: (request) => this.beforeRequest(priority, request),
        afterResponse: (request, response) => this.afterResponse(request, response),
      };
      this.#views.set(priority, view);
    }
    return view;
  }

  async beforeRequest(priority: BudgetPriority, request: IssueWriteRequest): Promise<void> {
    let waited = 0;
    for (;;) {
      const [reason, ms] = await this.#acquire(priority, request);
      if (reason === 'ok') return;
      const waitable = reason === 'rate' || reason === 'burst' || reason === 'issue' || reason === 'share';
      if (!waitable || waited + ms > this.#o.maxWaitMs) {
        throw new BudgetExhaustedError({
          reason: (reason === 'quota-site' ? 'quota' : reason) as BudgetExhaustedError['reason'],
          retryAfterMs: Math.max(1, ms),
          site: request.site,
          appWide: reason === 'quota',
        });
      }
      waited += ms;
      await sleep(Math.max(1, ms));
    }
  }

  async afterResponse(request: IssueWriteRequest, response: BudgetedResponse): Promise<void> {
    const now = this.#now();
    if (response.status === 429 || response.status === 401) {
      await this.#adjust(request.site, -request.estimatedCost, 0, now);
    } else {
      await this.#adoptServerFigure(request.site, response, now);
    }
    if (response.status === 429) await this.#pauseFor429(request, response, now);
  }

  /** The caller counted the objects: charge `actualCost` instead of the estimate. */
  async settle(request: Pick<BudgetedRequest, 'site' | 'estimatedCost'>, actualCost: number): Promise<void> {
    const delta = actualCost - request.estimatedCost;
    if (delta !== 0) await this.#adjust(request.site, delta, 0, this.#now());
  }

  /** The site's sync work is done for now: it no longer holds a fair share open. */
  async leave(site: string): Promise<void> {
    const window = Math.floor(this.#now() / this.#o.windowMs);
    await this.#redis
      .multi()
      .zrem(this.#keys.active(site), site)
      .zrem(this.#keys.windowActiveSpend(site, window), site)
      .exec();
  }

  /** ms until a quota pause lifts for this site (its own, or the app's); 0 when calls may go. */
  async quotaBlockedMs(site: string): Promise<number> {
    const [app, own] = await this.#redis.mget(this.#keys.block('app'), this.#keys.block(site));
    return Math.max(0, Number(app ?? 0) - this.#now(), Number(own ?? 0) - this.#now());
  }

  /** The window of a pool (the app's, or a site's under JIRA_RATE_POOL=site), for metrics and the planner. */
  async snapshot(site?: string): Promise<BudgetSnapshot> {
    const now = this.#now();
    const pool = site ?? '';
    const window = Math.floor(now / this.#o.windowMs);
    const [total, bySite, active, blocked] = await Promise.all([
      this.#redis.get(this.#keys.windowTotal(pool, window)),
      this.#redis.hgetall(this.#keys.windowBySite(pool, window)),
      this.#redis.zcount(this.#keys.active(pool), now, '+inf'),
      this.#redis.get(this.#keys.block('app')),
    ]);
    return {
      pool: this.#o.pool === 'app' ? 'app' : (site ?? ''),
      pointsPerWindow: this.#o.pointsPerWindow,
      windowEndsAt: (window + 1) * this.#o.windowMs,
      spent: Number(total ?? 0),
      spentBySite: Object.fromEntries(Object.entries(bySite).map(([s, v]) => [s, Number(v)])),
      activeSites: active,
      quotaBlockedMs: Math.max(0, Number(blocked ?? 0) - now),
    };
  }

  /** Points the app's pool (or `site`'s) spent in window `window` (epoch ms / window); null: nothing recorded. */
  async windowSpent(window: number, site = ''): Promise<number | null> {
    const total = await this.#redis.get(this.#keys.windowTotal(site, window));
    return total === null ? null : Number(total);
  }

  /** Points each site spent since it was first seen (all windows), for the metrics. */
  async lifetimePoints(): Promise<Record<string, number>> {
    const all = await this.#redis.hgetall(this.#keys.lifetime());
    return Object.fromEntries(Object.entries(all).map(([s, v]) => [s, Number(v)]));
  }

  /** Points of one window a priority may spend (the cap the fair shares are cut from). */
  capOf(priority: BudgetPriority): number {
    const { pointsPerWindow: points, webhookReserveShare: hook, pollReserveShare: poll } = this.#o;
    if (priority === 'webhook') return points;
    if (priority === 'poll') return Math.floor(points * (1 - hook));
    return Math.floor(points * Math.max(0, 1 - hook - poll));
  }

  async #acquire(priority: BudgetPriority, request: IssueWriteRequest): Promise<[string, number]> {
    const now = this.#now();
    const { site } = request;
    const window = Math.floor(now / this.#o.windowMs);
    const interval = 1000 / this.#o.siteMaxRps;
    const sync = priority !== 'webhook';
    const issueWrite = request.issueId !== undefined && request.method !== 'GET';
    return this.#redis.budgetAcquire(
      this.#keys.block('app'),
      this.#keys.block(site),
      this.#keys.burst(site, request.method, request.routeClass),
      this.#keys.rate(site),
      this.#keys.windowTotal(site, window),
      this.#keys.windowBySite(site, window),
      this.#keys.active(site),
      this.#keys.issueWrites(site, request.issueId ?? ''),
      this.#keys.lifetime(),
      this.#keys.windowActiveSpend(site, window),
      now,
      Math.max(1, Math.ceil(request.estimatedCost)),
      site,
      this.capOf(priority),
      sync && this.#o.pool === 'app' ? '1' : '0',
      interval,
      Math.max(0, 1000 - interval),
      (window + 1) * this.#o.windowMs,
      this.#o.activeTtlMs,
      this.#o.shareRetryMs,
      this.#o.windowMs * 2,
      issueWrite ? '1' : '0',
      this.#o.issueWriteSpacingMs,
      sync ? '1' : '0',
    );
  }

  async #adjust(site: string, delta: number, floor: number, now: number): Promise<void> {
    const window = Math.floor(now / this.#o.windowMs);
    await this.#redis.budgetAdjust(
      this.#keys.windowTotal(site, window),
      this.#keys.windowBySite(site, window),
      this.#keys.lifetime(),
      this.#keys.windowActiveSpend(site, window),
      site,
      Math.round(delta),
      Math.round(floor),
      this.#o.windowMs * 2,
    );
  }

  /** Near the limit Jira says how much is left: when it has counted more than we did, it is right. */
  async #adoptServerFigure(site: string, response: BudgetedResponse, now: number): Promise<void> {
    const wanted = this.#o.pool === 'app' ? 'global-app-quota' : 'tenant-app-quota';
    const reading = quotaReadings(response.headers).find((r) => r.policy === wanted);
    if (!reading) return;
    const serverSpent = Math.round(
      (reading.quota - reading.remaining) * (this.#o.pointsPerWindow / reading.quota),
    );
    await this.#adjust(site, 0, serverSpent, now);
  }

  async #pauseFor429(request: IssueWriteRequest, response: BudgetedResponse, now: number): Promise<void> {
    const kind = rateLimitKind(response.headers);
    const windowEnd = (Math.floor(now / this.#o.windowMs) + 1) * this.#o.windowMs;
    const delay = serverDelayMs(response.headers, now);
    const log = this.#o.log.child({ site: request.site, route: request.routeClass, method: request.method });
    if (kind === 'quota-global' || kind === 'quota-tenant') {
      const until = now + (delay ?? windowEnd - now);
      // A global quota stops the whole app, whatever pool we assumed; a tenant quota only this site.
      const key = kind === 'quota-global' ? 'app' : request.site;
      await this.#pause(this.#keys.block(key), until, now);
      log.warn({ kind, resumeInMs: until - now }, 'Jira quota spent: no calls until the reset');
    } else if (kind === 'per-issue') {
      if (request.issueId === undefined) return;
      await this.#pause(
        this.#keys.issueWrites(request.site, request.issueId),
        now + (delay ?? 2000),
        now,
        30_000,
      );
      log.info({ issue: request.issueId, delayMs: delay }, 'per-issue write limit: spacing writes');
    } else {
      const key = this.#keys.burst(request.site, request.method, request.routeClass);
      await this.#pause(key, now + (delay ?? 1000), now);
      log.info({ delayMs: delay ?? 1000 }, 'burst limit: pausing this endpoint of the site');
    }
  }

  async #pause(key: string, until: number, now: number, minTtlMs = 0): Promise<void> {
    const ttl = Math.max(minTtlMs, until - now + 1000);
    await this.#redis.budgetPause(key, String(Math.round(until)), String(Math.ceil(ttl)));
  }
}

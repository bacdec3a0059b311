import type { RedisJiraBudget } from '../atlassian/budget/redis-jira-budget.ts';
import type { RedisClient } from '../state/redis-client.ts';

/**
 * Share of the window the plan leaves unplanned under the poll cap, for what the last window did
 * not show (a backfill starting, a burst of webhooks): polls plus the rest are planned to at most
 * 1 - JIRA_BUDGET_WEBHOOK_RESERVE_SHARE - this, 80% with the defaults, below the polls' cap of 90%.
 */
const HEADROOM_SHARE = 0.1;

export interface PollBudgetOptions {
  /** JIRA_POINTS_PER_HOUR of the app's pool. */
  readonly pointsPerWindow: number;
  /** JIRA_RECONCILE_BUDGET_SHARE: what polls are planned for at least. */
  readonly share: number;
  /** JIRA_BUDGET_WEBHOOK_RESERVE_SHARE. */
  readonly webhookReserveShare: number;
}

/** A window that spent this share of the polls' cap or more ran out: polls in it were refused. */
const SATURATED_SHARE = 0.98;

/** How much of its last figure polls keep after a window that ran out. */
const BACK_OFF = 0.7;

/** The last complete window of the app's pool. */
export interface LastWindow {
  /** All it spent. */
  readonly spent: number;
  /** What the polls at the intervals in force cost per window. */
  readonly polls: number;
  /** The poll points planned for it; null when none was recorded. */
  readonly planned: number | null;
}

/**
 * Points of one window the planner gives the app pool's polls: at least `share` of the pool, and
 * more when the other work (webhook enrichment, writes, backfills, reconciles) left more in the
 * last window: the headroom ceiling minus what that work spent (the window's total minus what the
 * polls in force cost). A window that ran out says nothing of what the other work needs (refused
 * calls spent nothing, polls included), so after one the polls get 70% of their last figure, down
 * to the share, until the pool has room again. Without a last window (a new deployment, an idle
 * hour with no record) polls get `share`.
 */
export function pollPointsFor(o: PollBudgetOptions, last: LastWindow | null): number {
  const floor = o.share * o.pointsPerWindow;
  const ceiling = Math.max(floor, (1 - o.webhookReserveShare - HEADROOM_SHARE) * o.pointsPerWindow);
  if (!last) return floor;
  const pollCap = (1 - o.webhookReserveShare) * o.pointsPerWindow;
  if (last.spent >= SATURATED_SHARE * pollCap) return Math.max(floor, (last.planned ?? floor) * BACK_OFF);
  const others = Math.max(0, last.spent - last.polls);
  return Math.min(ceiling, Math.max(floor, ceiling - others));
}

/**
 * The app pool's poll points, decided once per budget window (the first planning round in it) and
 * kept in Redis for the window's other rounds and every worker: within a window the last one's
 * total is fixed, while the intervals the rounds set change what the polls cost, and deciding again
 * each round would feed that change back into the plan.
 */
export class RedisPollBudget {
  readonly #redis: RedisClient;
  readonly #prefix: string;
  readonly #budget: Pick<RedisJiraBudget, 'windowSpent'>;
  readonly #o: PollBudgetOptions & { readonly windowMs: number };

  constructor(deps: {
    redis: RedisClient;
    prefix: string;
    budget: Pick<RedisJiraBudget, 'windowSpent'>;
    options: PollBudgetOptions & { readonly windowMs: number };
  }) {
    this.#redis = deps.redis;
    this.#prefix = deps.prefix;
    this.#budget = deps.budget;
    this.#o = deps.options;
  }

  /**
   * The poll points of the window `at` falls in. `pollsNow`: what the polls cost per window at the
   * intervals in force, which are what the last window ran at when a new window's first round asks.
   */
  async pointsAt(at: number, pollsNow: number): Promise<number> {
    const window = Math.floor(at / this.#o.windowMs);
    const key = this.#key(window);
    const decided = await this.#redis.get(key);
    if (decided !== null && Number.isFinite(Number(decided))) return Number(decided);
    const [spent, before] = await Promise.all([
      this.#budget.windowSpent(window - 1),
      this.#redis.get(this.#key(window - 1)),
    ]);
    const planned = before === null ? null : Number(before);
    const points = pollPointsFor(this.#o, spent === null ? null : { spent, polls: pollsNow, planned });
    // NX: two workers planning at once agree on the first one's figure.
    await this.#redis.set(key, points.toFixed(0), 'PX', this.#o.windowMs * 2, 'NX');
    return Number((await this.#redis.get(key)) ?? points);
  }

  #key(window: number): string {
    return `${this.#prefix}:sync:poll-points:${window}`;
  }
}

import type { Logger } from '../../logger.ts';

/** How the points budget is set up (composition/jira-services.ts maps the config onto it). */
export interface JiraBudgetOptions {
  /** Key prefix (QUEUE_PREFIX, or a test's unique name). */
  readonly prefix: string;
  /** JIRA_POINTS_PER_HOUR: points per window. */
  readonly pointsPerWindow: number;
  /** JIRA_BUDGET_WINDOW_SECONDS in ms; windows are aligned to multiples of it (the top of the hour). */
  readonly windowMs: number;
  /** JIRA_RATE_POOL: one pool for the app, or one per site. */
  readonly pool: 'app' | 'site';
  readonly siteMaxRps: number;
  readonly webhookReserveShare: number;
  readonly pollReserveShare: number;
  readonly activeTtlMs: number;
  readonly shareRetryMs: number;
  /** Longest wait taken in place; longer ones throw BudgetExhaustedError. */
  readonly maxWaitMs: number;
  readonly issueWriteSpacingMs: number;
  readonly log: Logger;
  readonly now?: () => number;
}

/** What operators see: the window of a pool, what is spent, and what is paused. */
export interface BudgetSnapshot {
  readonly pool: string;
  readonly pointsPerWindow: number;
  readonly windowEndsAt: number;
  readonly spent: number;
  readonly spentBySite: Readonly<Record<string, number>>;
  readonly activeSites: number;
  /** ms until a quota pause of the app's pool lifts; 0 when none. */
  readonly quotaBlockedMs: number;
}

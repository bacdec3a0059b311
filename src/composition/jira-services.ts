import type { Config } from '../../config/index.ts';
import { type BudgetPriority, RedisJiraBudget } from '../atlassian/budget/redis-jira-budget.ts';
import type { RequestBudget } from '../atlassian/budget/request-budget.ts';
import { type AccessTokenSource, JiraClient, type JiraClientOptions } from '../atlassian/jira/jira-client.ts';
import type { Connection } from '../connections/connection.ts';
import type { Logger } from '../logger.ts';
import type { RedisClient } from '../state/redis-client.ts';

type JiraConfig = Pick<
  Config,
  | 'QUEUE_PREFIX'
  | 'ATLASSIAN_API_URL'
  | 'JIRA_REQUEST_TIMEOUT_MS'
  | 'JIRA_RETRY_LIMIT'
  | 'JIRA_RETRY_BASE_DELAY_MS'
  | 'JIRA_RETRY_MAX_DELAY_MS'
  | 'JIRA_RATE_LIMIT_MAX_WAIT_MS'
  | 'JIRA_POINTS_PER_HOUR'
  | 'JIRA_RATE_POOL'
  | 'JIRA_BUDGET_WINDOW_SECONDS'
  | 'JIRA_SITE_MAX_RPS'
  | 'JIRA_BUDGET_WEBHOOK_RESERVE_SHARE'
  | 'JIRA_BUDGET_POLL_RESERVE_SHARE'
  | 'JIRA_BUDGET_ACTIVE_TTL_MS'
  | 'JIRA_BUDGET_SHARE_RETRY_MS'
  | 'JIRA_BUDGET_MAX_WAIT_MS'
  | 'JIRA_ISSUE_WRITE_SPACING_MS'
>;

export interface JiraServicesDeps {
  readonly redis: RedisClient;
  readonly tokens: AccessTokenSource;
  readonly log: Logger;
  readonly now?: () => number;
  /** Wraps the budget port of every client (metrics count each charge). */
  readonly instrument?: (budget: RequestBudget) => RequestBudget;
}

/**
 * The Jira points budget and the client factory: every Jira call of the process, webhook work,
 * sync and webhook registration alike, goes through one budget in Redis shared by all processes.
 */
export function createJiraServices(config: JiraConfig, deps: JiraServicesDeps) {
  const now = deps.now ?? Date.now;
  const budget = new RedisJiraBudget(deps.redis, {
    prefix: config.QUEUE_PREFIX,
    pointsPerWindow: config.JIRA_POINTS_PER_HOUR,
    windowMs: config.JIRA_BUDGET_WINDOW_SECONDS * 1000,
    pool: config.JIRA_RATE_POOL,
    siteMaxRps: config.JIRA_SITE_MAX_RPS,
    webhookReserveShare: config.JIRA_BUDGET_WEBHOOK_RESERVE_SHARE,
    pollReserveShare: config.JIRA_BUDGET_POLL_RESERVE_SHARE,
    activeTtlMs: config.JIRA_BUDGET_ACTIVE_TTL_MS,
    shareRetryMs: config.JIRA_BUDGET_SHARE_RETRY_MS,
    maxWaitMs: config.JIRA_BUDGET_MAX_WAIT_MS,
    issueWriteSpacingMs: config.JIRA_ISSUE_WRITE_SPACING_MS,
    log: deps.log.child({ component: 'jira-budget' }),
    now,
  });
  const options = {
    ...jiraClientOptions(config, { tokens: deps.tokens, log: deps.log.child({ component: 'jira' }) }),
    now,
  };
  const instrument = deps.instrument ?? ((b: RequestBudget) => b);
  return {
    budget,
    /** A Jira client whose calls the budget charges at this priority (webhook work by default). */
    clientFor(connection: Connection, priority: BudgetPriority = 'webhook'): JiraClient {
      return new JiraClient(connection, { ...options, budget: instrument(budget.forPriority(priority)) });
    },
  };
}

/** The Jira client's options from configuration; without `budget` its calls are not charged. */
export function jiraClientOptions(
  config: Pick<
    Config,
    | 'ATLASSIAN_API_URL'
    | 'JIRA_REQUEST_TIMEOUT_MS'
    | 'JIRA_RETRY_LIMIT'
    | 'JIRA_RETRY_BASE_DELAY_MS'
    | 'JIRA_RETRY_MAX_DELAY_MS'
    | 'JIRA_RATE_LIMIT_MAX_WAIT_MS'
  >,
  deps: { tokens: AccessTokenSource; log: Logger; budget?: RequestBudget },
): JiraClientOptions {
  return {
    ...deps,
    apiUrl: config.ATLASSIAN_API_URL,
    timeoutMs: config.JIRA_REQUEST_TIMEOUT_MS,
    retry: {
      limit: config.JIRA_RETRY_LIMIT,
      baseMs: config.JIRA_RETRY_BASE_DELAY_MS,
      maxMs: config.JIRA_RETRY_MAX_DELAY_MS,
      maxRateLimitWaitMs: config.JIRA_RATE_LIMIT_MAX_WAIT_MS,
    },
  };
}

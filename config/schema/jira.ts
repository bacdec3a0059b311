import { z } from 'zod';
import { integer, positiveNumber } from './env-types.ts';
import { envVar } from './env-var.ts';

export const jiraVars = {
  JIRA_REQUEST_TIMEOUT_MS: envVar(integer(100).default(30_000), 'Timeout of one Jira REST call.'),
  JIRA_RETRY_LIMIT: envVar(
    integer(0).default(3),
    'Retries of an idempotent Jira call on 5xx, network errors or a short 429.',
  ),
  JIRA_RETRY_BASE_DELAY_MS: envVar(
    integer(1).default(2000),
    'First backoff delay of a Jira retry; doubles per attempt, with 0.7–1.3 jitter.',
  ),
  JIRA_RETRY_MAX_DELAY_MS: envVar(integer(1).default(30_000), 'Cap of the exponential Jira backoff.'),
  JIRA_RATE_LIMIT_MAX_WAIT_MS: envVar(
    integer(0).default(5000),
    'Longest 429 delay a Jira call waits in place; longer delays and quota 429s go back to the caller.',
  ),
  JIRA_SEARCH_PAGE_SIZE: envVar(integer(1).max(5000).default(100), 'Issues per `search/jql` page.'),
  JIRA_SEARCH_MAX_PAGES: envVar(
    integer(1).default(10_000),
    'Page cap of one search iteration (guards against loops).',
  ),
  JIRA_BULK_FETCH_SIZE: envVar(
    integer(1).max(1000).default(100),
    'Issues per `issue/bulkfetch` call (Jira allows 100, or 1000 with narrow fields).',
  ),
  JIRA_COMMENT_PAGE_SIZE: envVar(
    integer(1).max(1000).default(100),
    'Comments per page of an issue comment listing.',
  ),
  JIRA_BUDGET_WINDOW_SECONDS: envVar(
    integer(1).default(3600),
    'Length of the points-budget window (top of the hour).',
  ),
  JIRA_SITE_MAX_RPS: envVar(positiveNumber().default(10), 'Request-rate cap per site.'),
  JIRA_RECONCILE_BUDGET_SHARE: envVar(
    positiveNumber().max(1).default(0.2),
    'Share of the points budget incremental polls are planned for. With JIRA_RATE_POOL=app at least this, and more when other work left room in the last window: up to 90% of the pool less the webhook reserve and what that work spent.',
  ),
  JIRA_BUDGET_WEBHOOK_RESERVE_SHARE: envVar(
    z.coerce.number().min(0).max(0.9).default(0.1),
    'Share of each window only webhook-driven enrichment and writes may spend.',
  ),
  JIRA_BUDGET_POLL_RESERVE_SHARE: envVar(
    z.coerce.number().min(0).max(0.9).default(0.1),
    'Further share of each window kept from backfills and reconciles for incremental polls.',
  ),
  JIRA_BUDGET_ACTIVE_TTL_MS: envVar(
    integer(100).default(10_000),
    'A site counts as having sync work (for fair shares) this long after its last sync call.',
  ),
  JIRA_BUDGET_SHARE_RETRY_MS: envVar(
    integer(1).default(1000),
    'A site over its fair share asks again after this long (shares grow when other sites finish).',
  ),
  JIRA_BUDGET_MAX_WAIT_MS: envVar(
    integer(0).default(2000),
    'Longest budget wait (rate cap, burst pause) taken in place; longer waits postpone the job.',
  ),
  JIRA_ISSUE_WRITE_SPACING_MS: envVar(
    integer(1).default(300),
    'Gap between writes to one issue after Jira refused one with a per-issue 429.',
  ),
} as const;

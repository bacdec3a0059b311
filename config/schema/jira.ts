import { integer, positiveNumber } from './env-types.ts';
import { envVar } from './env-var.ts';

export const jiraVars = {
  JIRA_REQUEST_TIMEOUT_MS: envVar(integer(100).default(30_000), 'Timeout of one Jira REST call.'),
  JIRA_RETRY_LIMIT: envVar(
    integer(0).default(3),
    'Retries of an idempotent Jira call on 5xx or network errors.',
  ),
  JIRA_SEARCH_PAGE_SIZE: envVar(integer(1).max(5000).default(100), 'Issues per `search/jql` page.'),
  JIRA_SEARCH_MAX_PAGES: envVar(
    integer(1).default(10_000),
    'Page cap of one search iteration (guards against loops).',
  ),
  JIRA_BUDGET_WINDOW_SECONDS: envVar(
    integer(1).default(3600),
    'Length of the points-budget window (top of the hour).',
  ),
  JIRA_SITE_MAX_RPS: envVar(positiveNumber().default(10), 'Request-rate cap per site.'),
  JIRA_RECONCILE_BUDGET_SHARE: envVar(
    positiveNumber().max(1).default(0.2),
    'Share of the points budget reconcile polling may use.',
  ),
} as const;

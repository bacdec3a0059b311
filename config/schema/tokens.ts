import { hostList, integer } from './env-types.ts';
import { envVar } from './env-var.ts';

export const tokenVars = {
  TOKEN_REFRESH_MARGIN_SECONDS: envVar(
    integer(0).default(60),
    'Refresh an access token this long before it expires.',
  ),
  TOKEN_REFRESH_LOCK_MS: envVar(
    integer(100).default(15_000),
    'Expiry of the cross-process Redis refresh lock (raised to cover every attempt of one refresh).',
  ),
  TOKEN_REFRESH_LOCK_POLL_MS: envVar(
    integer(1).default(50),
    'How often a process waiting for another process to refresh re-reads the grant.',
  ),
  TOKEN_REFRESH_TIMEOUT_MS: envVar(integer(100).default(10_000), 'Timeout of one token request.'),
  TOKEN_REFRESH_ATTEMPTS: envVar(
    integer(1).default(2),
    'Token requests one call may make when the outcome of the previous one is unknown (timeout, reset).',
  ),
  TOKEN_REUSE_WINDOW_SECONDS: envVar(
    integer(0).default(600),
    "Atlassian's refresh-token reuse window: an unknown-outcome refresh is retried with the same token only inside it.",
  ),
  TOKEN_KEEPALIVE_IDLE_DAYS: envVar(
    integer(1).default(75),
    'Grants idle this long are refreshed by maintenance (before the 90-day expiry).',
  ),
  TOKEN_KEEPALIVE_INTERVAL_SECONDS: envVar(
    integer(1).default(21_600),
    'How often maintenance looks for grants idle longer than TOKEN_KEEPALIVE_IDLE_DAYS.',
  ),
  TOKEN_RESEAL_INTERVAL_SECONDS: envVar(
    integer(1).default(3600),
    'How often maintenance re-encrypts grants sealed with a key other than the first of TOKEN_ENCRYPTION_KEY.',
  ),
  ACCESSIBLE_RESOURCES_REFRESH_SECONDS: envVar(
    integer(1).default(21_600),
    "How often maintenance re-reads every grant's accessible-resources (renamed, removed and new sites).",
  ),
  OAUTH_ALLOWED_SITES: envVar(
    hostList().default([]),
    'Jira site hosts a consent may connect, comma-separated (`acme.atlassian.net`); empty: any site.',
  ),
  OAUTH_STATE_MEMORY_SECONDS: envVar(
    integer(1).default(86_400),
    'How long a used or expired OAuth `state` is remembered, so the callback can say which.',
  ),
} as const;

import { integer, nonEmpty } from './env-types.ts';
import { envVar } from './env-var.ts';

export const httpVars = {
  WEBHOOK_MAX_BODY_BYTES: envVar(
    integer(1024).default(1_048_576),
    'Largest webhook body accepted (413 above).',
  ),
  WEBHOOK_DEDUPE_TTL_SECONDS: envVar(
    integer(1).default(259_200),
    'How long a delivery identifier is remembered for dedupe (72 h).',
  ),
  WEBHOOK_JWT_CLOCK_SKEW_SECONDS: envVar(
    integer(0).default(60),
    'Clock skew allowed when checking a webhook JWT `exp`, `iat` and `nbf`.',
  ),
  WEBHOOK_JWT_MAX_AGE_SECONDS: envVar(
    integer(1).default(900),
    'How old (by `iat`) a webhook JWT without `exp` may be; one with neither is refused.',
  ),
  WEBHOOK_JWT_MAX_LIFETIME_SECONDS: envVar(
    integer(1).default(3600),
    'Longest lifetime (`exp` - `iat`) of a webhook JWT accepted: the JWT does not cover the body, so a captured one must not last.',
  ),
  OAUTH_STATE_TTL_SECONDS: envVar(integer(1).default(600), 'Lifetime of an OAuth `state` (single use).'),
  ADMIN_SESSION_SECONDS: envVar(
    integer(60).default(43_200),
    'Lifetime of the dashboard login cookie (`/admin/login`); a new ADMIN_TOKEN ends every session.',
  ),
  ADMIN_AUTH_MAX_FAILURES: envVar(
    integer(1).default(10),
    'Wrong admin tokens (bearer or sign-in form) one client address may present per window; then 429.',
  ),
  ADMIN_AUTH_FAILURE_WINDOW_SECONDS: envVar(
    integer(1).default(900),
    "The window of ADMIN_AUTH_MAX_FAILURES, from an address's first wrong token.",
  ),
  TRUST_PROXY: envVar(
    nonEmpty().default('loopback'),
    'Proxies whose `X-Forwarded-*` headers are believed (addresses, CIDRs or loopback/linklocal/uniquelocal); name your proxy here: anyone else could claim any client IP.',
  ),
  METRICS_PORT: envVar(
    integer(1).max(65535).optional(),
    'Port (on HOST) of a second listener that alone serves `/metrics`; unset: `/metrics` is on PORT.',
  ),
  HTTP_REQUEST_TIMEOUT_MS: envVar(
    integer(1).default(30_000),
    'A request (headers and body) must arrive within this; slower ones get 408 and are closed.',
  ),
  HTTP_CONNECTION_TIMEOUT_MS: envVar(
    integer(1).default(60_000),
    'A connection idle this long while a request is open is closed.',
  ),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: envVar(
    integer(1).default(72_000),
    "How long an idle keep-alive connection stays open; keep it above your load balancer's idle timeout.",
  ),
  HTTP_MAX_CONNECTIONS: envVar(
    integer(1).default(4096),
    'Open connections one process accepts; more are dropped at once.',
  ),
  SHUTDOWN_TIMEOUT_MS: envVar(integer(100).default(30_000), 'Deadline for a graceful shutdown on SIGTERM.'),
} as const;

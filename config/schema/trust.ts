import { z } from 'zod';
import { integer } from './env-types.ts';
import { envVar } from './env-var.ts';

/** `*`, or comma-separated site hosts; empty: none. */
const siteListOrAny = () =>
  z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z
          .string()
          .regex(
            /^(\*|[a-z0-9.-]+\.[a-z]{2,})$/,
            'each entry must be a site host such as acme.atlassian.net, or *',
          ),
      ),
    );

/** Who may speak for a site, and who may connect one. */
export const trustVars = {
  JIRA_WEBHOOK_SECRET_SITES: envVar(
    siteListOrAny(),
    'Sites the shared `JIRA_WEBHOOK_SECRET` speaks for (hosts, comma-separated, or `*`); empty: it speaks for none. Such sites need no connection (webhook-only).',
  ),
  WEBHOOK_SECRET_ROTATION_GRACE_SECONDS: envVar(
    integer(0).default(86_400),
    "How long a connection's previous webhook secret is still accepted after a rotation.",
  ),
  CONNECT_LINK_TTL_SECONDS: envVar(
    integer(60).default(86_400),
    'How long a connect link from the admin API can be used (once) to start a consent.',
  ),
  WEBHOOK_MAX_JSON_DEPTH: envVar(
    integer(2).max(1000).default(64),
    'Deepest nesting of objects and arrays a webhook body may have; deeper bodies get 400 `too_deep`.',
  ),
  OAUTH_START_MAX_PER_MINUTE: envVar(
    integer(1).default(30),
    'Requests to `/oauth/start` one client address may make per minute; more get 429.',
  ),
} as const;

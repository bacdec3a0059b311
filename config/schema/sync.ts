import { z } from 'zod';
import { integer, positiveNumber } from './env-types.ts';
import { envVar } from './env-var.ts';

export const syncVars = {
  SYNC_POLL_OVERLAP_MS: envVar(
    integer(0).default(120_000),
    'Incremental poll re-reads this much before its cursor.',
  ),
  SYNC_POLL_MIN_INTERVAL_SECONDS: envVar(
    integer(1).default(60),
    'Shortest interval between polls of one site.',
  ),
  SYNC_POLL_MAX_INTERVAL_SECONDS: envVar(
    integer(1).default(21_600),
    'Longest interval between polls of one site.',
  ),
  SYNC_RECONCILE_INTERVAL_SECONDS: envVar(
    integer(1).default(86_400),
    'Interval of the deletion reconcile per site.',
  ),
  SYNC_BACKFILL_START: envVar(
    z.iso.date({ message: 'a date like 2024-01-31' }).optional(),
    'Backfill start date (YYYY-MM-DD); unset means from the beginning.',
  ),
  SYNC_WORKER_CONCURRENCY: envVar(integer(1).default(8), 'Concurrent sync jobs per worker process.'),
  SYNC_JOB_LOCK_MS: envVar(
    integer(1000).default(30_000),
    "Lock of an active sync job; a crashed worker's job is taken over after it lapses.",
  ),
  SYNC_SITE_LEASE_MS: envVar(
    integer(1000).default(30_000),
    "How long a site's sync lease (one sync job per site in flight) holds without renewal.",
  ),
  SYNC_SITE_BUSY_RETRY_MS: envVar(
    integer(1).default(2000),
    'A sync job whose site is busy with another one comes back after this long.',
  ),
  SYNC_BACKFILL_SLICE_PAGES: envVar(
    integer(1).default(50),
    'Search pages a backfill job reads before it checkpoints and yields to other sites.',
  ),
  SYNC_RECONCILE_PAGE_SIZE: envVar(
    integer(1).max(5000).default(5000),
    'Issue ids per page of the deletion reconcile scan (`fields=id`).',
  ),
  SYNC_COMMENT_FETCH_CONCURRENCY: envVar(
    integer(1).default(4),
    'Issues of one page whose comments (beyond the 20 embedded) are fetched at once.',
  ),
  SYNC_INLINE_CHANGES: envVar(
    integer(0).default(96),
    'Changes a sync job takes through the connectors at once; 0 queues every change instead.',
  ),
  SYNC_PROJECTS_CACHE_SECONDS: envVar(
    integer(1).default(3600),
    "How long a site's project list (for `project in (...)`) is reused.",
  ),
  SYNC_PLAN_INTERVAL_SECONDS: envVar(
    integer(1).default(300),
    'How often poll intervals are re-planned from the budget and webhook health.',
  ),
  SYNC_QUIET_POLL_WEIGHT: envVar(
    positiveNumber().default(4),
    'How many times more often a site with quiet webhooks is polled than a healthy one.',
  ),
  SYNC_QUIET_SHARE: envVar(
    z.coerce.number().min(0).max(1).default(0.05),
    "A site's webhooks count as quiet when more than this share of changes was found only by polling.",
  ),
  SYNC_COVERAGE_TTL_SECONDS: envVar(
    integer(60).default(21_600),
    'How long the first sighting of a change is kept to see whether the other path also saw it.',
  ),
  SYNC_COVERAGE_BUCKET_SECONDS: envVar(
    integer(1).default(3600),
    'Coverage shares are counted over the current and the previous bucket of this length.',
  ),
  WEBHOOK_REFRESH_INTERVAL_SECONDS: envVar(
    integer(1).default(43_200),
    'How often webhook registrations are checked.',
  ),
  WEBHOOK_REFRESH_BEFORE_SECONDS: envVar(
    integer(1).default(604_800),
    'Registrations expiring within this window are refreshed.',
  ),
} as const;

import { z } from 'zod';
import { integer } from './env-types.ts';
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
  WEBHOOK_REFRESH_INTERVAL_SECONDS: envVar(
    integer(1).default(43_200),
    'How often webhook registrations are checked.',
  ),
  WEBHOOK_REFRESH_BEFORE_SECONDS: envVar(
    integer(1).default(604_800),
    'Registrations expiring within this window are refreshed.',
  ),
} as const;

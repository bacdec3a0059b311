import { z } from 'zod';
import { integer } from './env-types.ts';
import { envVar } from './env-var.ts';

export const processingVars = {
  TEXT_MARKDOWN: envVar(
    z.stringbool().default(false),
    'Also render rich text as Markdown (`descriptionMarkdown`, `bodyMarkdown`) beside plain text.',
  ),
  WEBHOOK_ROUTE_CACHE_MS: envVar(
    integer(0).default(5000),
    'How long the api caches which connection a site belongs to.',
  ),
  PUBLISH_BUSY_RETRY_MS: envVar(
    integer(1).default(250),
    'How soon a change retries when an older version of its entity is being published (at most the claim that holds it).',
  ),
  FUTURE_VERSION_SKEW_SECONDS: envVar(
    integer(1).default(300),
    'How far ahead of now a Jira `updated` may be; a change further ahead is dead-lettered (`future_version`) untouched.',
  ),
  FIELD_LIST_CACHE_SECONDS: envVar(
    integer(1).default(3600),
    "How long a site's Jira field list (for field names in the connectors file) is cached.",
  ),
} as const;

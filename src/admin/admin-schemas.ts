import { z } from 'zod';
import { connectorRegistry } from '../../connectors/registry.ts';
import { type CommandResult, commandTypes } from '../commands/command.ts';
import { connectionStatuses } from '../connections/connection.ts';

/**
 * Request and response shapes of the admin API. Requests are parsed with these schemas; the
 * OpenAPI document at /admin/api/docs is generated from the same ones, so the two cannot drift.
 */

const page = z.coerce.number().int().min(1).default(1).describe('1-based page number.');

/** A past date (`2024-01-31`, midnight UTC) or date-time with an offset. */
const pastInstant = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })])
  .transform((value) => new Date(value))
  .refine((date) => date.getTime() <= Date.now(), 'must not be in the future');

export const connectionParams = z.object({ id: z.uuid().describe('Connection id.') });

export const listConnectionsQuery = z.object({
  page,
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
  status: z.enum(connectionStatuses).optional().describe('Only connections in this status.'),
});

export const backfillBody = z.strictObject({
  from: pastInstant
    .nullable()
    .default(null)
    .describe('Backfill issues updated since this date; null or absent: from the beginning.'),
});

export const rewindBody = z.strictObject({
  to: pastInstant.describe('The poll cursor moves back to this instant; changes since are read again.'),
});

export const projectKeysBody = z.strictObject({
  projectKeys: z
    .array(z.string().regex(/^[A-Z][A-Z0-9_]{1,254}$/, 'a Jira project key like OPS'))
    .min(1)
    .max(500)
    .nullable()
    .describe('Projects to sync and receive webhooks for; null: every project the grant can see.'),
});

export const deadLettersQuery = z.object({
  page,
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
  queue: z.string().min(1).optional().describe('Only this queue (a name from the dashboard).'),
});

export const deadLetterParams = z.object({
  queue: z.string().min(1).max(100).describe('Queue name.'),
  jobId: z.string().min(1).max(256).describe('Job id within the queue.'),
});

export const redriveAllBody = z.strictObject({
  queue: z.string().min(1).optional().describe('Only this queue; absent: every queue.'),
  limit: z.number().int().min(1).max(10_000).default(1000).describe('Most jobs re-driven by this call.'),
});

const instant = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })])
  .transform((value) => new Date(value));

export const replayBody = z
  .strictObject({
    from: pastInstant.describe('Replay issues and comments whose current `updated` is at or after this.'),
    to: instant.optional().describe('...and at or before this; absent: now.'),
    connectors: z
      .array(z.enum(Object.keys(connectorRegistry) as [keyof typeof connectorRegistry]))
      .min(1)
      .refine((names) => new Set(names).size === names.length, 'must not repeat a connector')
      .optional()
      .describe('The connectors to re-emit for; absent: every enabled one.'),
  })
  .refine((body) => body.to === undefined || body.to.getTime() > body.from.getTime(), {
    message: 'must be after `from`',
    path: ['to'],
  });

export const recentCommandsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('Most commands listed, newest first.'),
});

const isoTime = z.string().describe('ISO 8601 date-time, UTC.');

const progressSchema = z
  .object({
    state: z.enum(['running', 'done']),
    done: z.number().int().describe('Issues read so far.'),
    total: z
      .number()
      .int()
      .nullable()
      .describe("Issues expected (Jira's approximate count); at the end, `done`."),
    ratePerSecond: z.number().nullable().describe('Issues per second over the run so far.'),
    etaSeconds: z.number().int().nullable().describe('Seconds left at that rate; null without a total.'),
    startedAt: isoTime,
    updatedAt: isoTime,
    finishedAt: isoTime.nullable(),
  })
  .nullable();

const syncProgressSchema = z
  .object({ backfill: progressSchema, reconcile: progressSchema, replay: progressSchema })
  .describe('The last (or running) backfill, reconcile and replay of the connection; null: none ran yet.');

export const connectionProgressSchema = z.object({ connectionId: z.string(), progress: syncProgressSchema });

export const connectionViewSchema = z.object({
  id: z.string(),
  site: z.object({ host: z.string(), url: z.string(), name: z.string(), cloudId: z.string() }),
  status: z.enum(connectionStatuses),
  accountIds: z.array(z.string()).describe('Accounts whose grants reach the site, preferred first.'),
  scopes: z.array(z.string()),
  projectKeys: z.array(z.string()).nullable().describe('null: every project the grant can see.'),
  createdAt: isoTime,
  updatedAt: isoTime,
  webhooks: z
    .object({
      ids: z.array(z.number().int()),
      jqlFilter: z.string(),
      expiresAt: isoTime,
      refreshedAt: isoTime,
    })
    .nullable()
    .describe('The dynamic webhook registration at Jira; null: none registered.'),
  sync: z
    .object({
      cursor: isoTime.nullable(),
      lagSeconds: z.number().nullable(),
      budgetPointsUsed: z.number().nullable().describe('Jira points spent in the current budget window.'),
      webhookCoverage: z.number().nullable().describe('Share (0-1) of changes webhooks delivered first.'),
      reconcileIntervalSeconds: z.number().nullable(),
      progress: syncProgressSchema.nullable(),
    })
    .describe('Background sync state; a field is null while the sync side does not provide it.'),
});

export const connectionListSchema = z.object({
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  connections: z.array(connectionViewSchema),
});

export const syncAcceptedSchema = z.object({
  connectionId: z.string(),
  action: z.enum(['resync', 'backfill', 'rewind', 'replay']),
  jobId: z.string().nullable().describe('The queued job, when the sync side used one.'),
});

export const disconnectSchema = z.object({
  connection: connectionViewSchema,
  webhooksUnregistered: z.boolean().describe('false: Jira could not be told; disconnect again to retry.'),
  error: z.string().nullable().describe('Why the webhooks could not be removed at Jira.'),
});

const deadLetterSchema = z.object({
  queue: z.string(),
  id: z.string(),
  name: z.string(),
  failedReason: z.string(),
  attemptsMade: z.number().int(),
  maxAttempts: z.number().int(),
  createdAt: isoTime,
  processedAt: isoTime.nullable(),
  failedAt: isoTime.nullable(),
  data: z.unknown().describe('The job input, as queued.'),
});

export const deadLetterPageSchema = z.object({
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  items: z.array(deadLetterSchema).describe('Newest failure first.'),
});

export const redrivenSchema = z.object({ queue: z.string(), id: z.string(), redriven: z.literal(true) });

export const redriveAllSchema = z.object({
  redriven: z.number().int(),
  skipped: z.number().int().describe('Jobs no longer failed when reached.'),
  remaining: z.number().int().describe('Failed jobs left (limit reached, or failed again at once).'),
});

const commandStatuses = [
  'applied',
  'duplicate',
  'conflict',
  'invalid',
  'rejected',
  'failed',
] as const satisfies readonly CommandResult['status'][];

const recentCommandSchema = z.object({
  commandId: z.string().describe("The command's `ce_id`."),
  type: z.enum([...commandTypes, 'unknown']).describe('The command type, without the event type prefix.'),
  source: z.string().describe("The command's `ce_source`: the sending system."),
  status: z.enum(commandStatuses),
  issue: z
    .object({ id: z.string().optional(), key: z.string().optional() })
    .nullable()
    .describe('The issue the command acted on, as far as known; null: none.'),
  reason: z.string().optional().describe('Why, for invalid, rejected, failed and conflict.'),
  at: z.number().int().describe('When the result was recorded, epoch ms.'),
});

export const recentCommandsSchema = z.object({
  connectionId: z.string(),
  siteHost: z.string(),
  commands: z.array(recentCommandSchema).describe('Newest first.'),
});

export const errorSchema = z.object({
  error: z.string().describe('Error code, e.g. BAD_REQUEST, NOT_FOUND, CONFLICT.'),
  message: z.string(),
  fields: z.array(z.string()).optional().describe('The offending inputs, e.g. `body.from`.'),
});

/** Documented error answers the connection routes share. */
export const errorResponses = {
  invalid: { description: 'A parameter or body field is invalid; `fields` names it.', schema: errorSchema },
  noConnection: { description: 'No connection with this id.', schema: errorSchema },
  wrongStatus: { description: 'The connection is not in a status that allows this.', schema: errorSchema },
};

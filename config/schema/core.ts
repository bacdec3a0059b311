import { z } from 'zod';
import { brokerList, encryptionKeys, integer, nonEmpty, spaceList, url } from './env-types.ts';
import { envVar } from './env-var.ts';

/** The names fixed by DESIGN.md (contract). */
export const coreVars = {
  PORT: envVar(integer(0).max(65535).default(3000), 'HTTP port of the api role.'),
  HOST: envVar(nonEmpty().default('0.0.0.0'), 'Address the HTTP server binds to.'),
  PUBLIC_URL: envVar(
    url(),
    'Public base URL of this service; the OAuth redirect URI is PUBLIC_URL + `/oauth/callback`.',
  ),
  REDIS_URL: envVar(
    z
      .string()
      .regex(/^rediss?:\/\/\S+$/, 'a redis:// or rediss:// URL')
      .default('redis://127.0.0.1:6379'),
    'Redis for queues, state and tokens (AOF on, `maxmemory-policy noeviction`).',
    { secret: true },
  ),
  REDIS_CLUSTER_NODES: envVar(
    z
      .string()
      .transform((value) => value.split(',').map((node) => node.trim()))
      .pipe(
        z
          .array(z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'each node must be host:port'))
          .min(1, 'at least one host:port'),
      )
      .optional(),
    'Redis Cluster seed nodes, `host:port` separated by commas: when set, every Redis client (BullMQ included) is a cluster client and `REDIS_URL` only gives the credentials and TLS of the nodes.',
  ),
  KAFKA_BROKERS: envVar(
    brokerList().default(['127.0.0.1:9092']),
    'Kafka bootstrap brokers, `host:port` separated by commas.',
  ),
  ATLASSIAN_CLIENT_ID: envVar(nonEmpty(), 'OAuth 2.0 (3LO) client id of the Atlassian app.'),
  ATLASSIAN_CLIENT_SECRET: envVar(
    nonEmpty(),
    'OAuth client secret; also verifies the JWT on Jira webhook deliveries.',
    {
      secret: true,
    },
  ),
  ATLASSIAN_AUTH_URL: envVar(url().default('https://auth.atlassian.com'), 'Atlassian authorization server.'),
  ATLASSIAN_API_URL: envVar(
    url().default('https://api.atlassian.com'),
    'Atlassian API gateway (`/ex/jira/{cloudId}`).',
  ),
  ATLASSIAN_SCOPES: envVar(
    spaceList()
      .default([
        'read:jira-work',
        'write:jira-work',
        'read:jira-user',
        'manage:jira-webhook',
        'offline_access',
      ])
      .transform((scopes) => (scopes.includes('offline_access') ? scopes : [...scopes, 'offline_access'])),
    'OAuth scopes, space-separated; `offline_access` is always added.',
  ),
  TOKEN_ENCRYPTION_KEY: envVar(
    encryptionKeys(),
    'Base64 32-byte AES-256-GCM keys, comma-separated: the first encrypts, all decrypt (rotation).',
    { secret: true },
  ),
  JIRA_WEBHOOK_SECRET: envVar(
    z.string().min(16, 'at least 16 characters').optional(),
    'Shared secret of admin webhooks (`X-Hub-Signature: sha256=` HMAC) on `/webhooks/jira`; it speaks only for `JIRA_WEBHOOK_SECRET_SITES`. Unset: refused.',
    { secret: true },
  ),
  ADMIN_TOKEN: envVar(z.string().min(16, 'at least 16 characters'), 'Bearer token for `/admin/*`.', {
    secret: true,
  }),
  CONNECTORS_CONFIG: envVar(
    nonEmpty().optional(),
    'Path of the connectors YAML file (commented example: `config/connectors.example.yaml`). Unset: every change goes to both connectors, default topics, no filters, the standard fields.',
  ),
  JIRA_POINTS_PER_HOUR: envVar(
    integer(1).default(65000),
    "Jira points budget per window (the app's hourly quota).",
  ),
  JIRA_RATE_POOL: envVar(
    z.enum(['app', 'site']).default('app'),
    '`app`: one budget shared by all sites; `site`: one budget per site.',
  ),
  ROLE: envVar(z.enum(['all', 'api', 'worker']).default('all'), 'Which roles this process runs.'),
  LOG_LEVEL: envVar(
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    'pino log level.',
  ),
} as const;

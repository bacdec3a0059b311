import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths whose values never reach a log line: credentials in headers, token pairs, secrets, and
 * config values that are secrets. Wildcards cover nested objects one level down.
 */
const redactPaths = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.authorization',
  'access_token',
  'refresh_token',
  'accessToken',
  'refreshToken',
  'client_secret',
  'clientSecret',
  'secret',
  'password',
  'token',
  '*.access_token',
  '*.refresh_token',
  '*.accessToken',
  '*.refreshToken',
  '*.client_secret',
  '*.clientSecret',
  '*.secret',
  '*.password',
  '*.token',
  'ATLASSIAN_CLIENT_SECRET',
  'TOKEN_ENCRYPTION_KEY',
  'JIRA_WEBHOOK_SECRET',
  'ADMIN_TOKEN',
  'REDIS_URL',
  '*.ATLASSIAN_CLIENT_SECRET',
  '*.TOKEN_ENCRYPTION_KEY',
  '*.JIRA_WEBHOOK_SECRET',
  '*.ADMIN_TOKEN',
  '*.REDIS_URL',
];

export interface LoggerOptions {
  level: string;
  /** Where lines go; tests pass a stream to read them. Default: stdout. */
  destination?: DestinationStream;
  /** Pretty, colored lines; only when stdout is a terminal unless forced. */
  pretty?: boolean;
}

/** The one root logger of a process. Children add `{ queue, jobId, site, issue }` per unit of work. */
export function createLogger(opts: LoggerOptions): Logger {
  const base = {
    level: opts.level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    base: { service: 'jira-relay' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (opts.destination) return pino(base, opts.destination);
  const pretty = opts.pretty ?? process.stdout.isTTY === true;
  if (pretty) {
    return pino({
      ...base,
      transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } },
    });
  }
  return pino(base);
}

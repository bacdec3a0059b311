import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../config/index.ts';
import { validEnv } from '../../helpers/valid-env.ts';

function problemsOf(env: Record<string, string | undefined>): readonly string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(validEnv());
    expect(config).toMatchObject({
      PORT: 3000,
      REDIS_URL: 'redis://127.0.0.1:6379',
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      ATLASSIAN_AUTH_URL: 'https://auth.atlassian.com',
      ATLASSIAN_API_URL: 'https://api.atlassian.com',
      JIRA_POINTS_PER_HOUR: 65000,
      JIRA_RATE_POOL: 'app',
      ROLE: 'all',
      LOG_LEVEL: 'info',
      WEBHOOK_MAX_BODY_BYTES: 1_048_576,
      TOKEN_REUSE_WINDOW_SECONDS: 600,
    });
    expect(config.ATLASSIAN_SCOPES).toContain('offline_access');
    expect(config.JIRA_WEBHOOK_SECRET).toBeUndefined();
    // No connectors file by default: the built-in default (connectors/config/default-connectors-config.ts).
    expect(config.CONNECTORS_CONFIG).toBeUndefined();
  });

  it('returns a frozen object', () => {
    const config = loadConfig(validEnv());
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.KAFKA_BROKERS)).toBe(true);
  });

  it('parses lists, numbers, enums and URLs', () => {
    const keys = [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')];
    const config = loadConfig(
      validEnv({
        PORT: '8080',
        KAFKA_BROKERS: 'a:9092, b:9093',
        TOKEN_ENCRYPTION_KEY: keys.join(','),
        ATLASSIAN_SCOPES: 'read:jira-work read:jira-user',
        ATLASSIAN_API_URL: 'http://127.0.0.1:4010/',
        JIRA_RATE_POOL: 'site',
        ROLE: 'worker',
        OAUTH_ALLOWED_SITES: 'Acme.atlassian.net, beta.atlassian.net',
      }),
    );
    expect(config.OAUTH_ALLOWED_SITES).toEqual(['acme.atlassian.net', 'beta.atlassian.net']);
    expect(config.PORT).toBe(8080);
    expect(config.KAFKA_BROKERS).toEqual(['a:9092', 'b:9093']);
    expect(config.TOKEN_ENCRYPTION_KEY).toEqual(keys);
    expect(config.ATLASSIAN_SCOPES).toEqual(['read:jira-work', 'read:jira-user', 'offline_access']);
    expect(config.ATLASSIAN_API_URL).toBe('http://127.0.0.1:4010');
    expect(config.JIRA_RATE_POOL).toBe('site');
    expect(config.ROLE).toBe('worker');
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig(validEnv({ PORT: '', JIRA_WEBHOOK_SECRET: '  ' })).PORT).toBe(3000);
  });

  it.each([
    ['missing required', { TOKEN_ENCRYPTION_KEY: undefined }, 'TOKEN_ENCRYPTION_KEY: is required'],
    ['not a number', { PORT: 'eighty' }, 'PORT: expected a number'],
    ['out of range', { PORT: '70000' }, 'PORT: must be at most 65535'],
    ['below minimum', { JIRA_POINTS_PER_HOUR: '0' }, 'JIRA_POINTS_PER_HOUR: must be at least 1'],
    ['not an integer', { WORKER_CONCURRENCY: '1.5' }, 'WORKER_CONCURRENCY: expected int'],
    ['not in the enum', { ROLE: 'both' }, 'ROLE: expected one of "all", "api", "worker"'],
    ['not a URL', { PUBLIC_URL: 'localhost:3000' }, 'PUBLIC_URL: expected an http(s) URL'],
    ['bad broker list', { KAFKA_BROKERS: 'localhost' }, 'KAFKA_BROKERS: each broker must be host:port'],
    [
      'a URL where a site host belongs',
      { OAUTH_ALLOWED_SITES: 'https://acme.atlassian.net' },
      'OAUTH_ALLOWED_SITES: each entry must be a site host',
    ],
    ['bad redis URL', { REDIS_URL: 'http://x' }, 'REDIS_URL: a redis:// or rediss:// URL'],
    ['short key', { TOKEN_ENCRYPTION_KEY: Buffer.alloc(16).toString('base64') }, 'must decode to 32 bytes'],
    [
      'non-base64 key',
      { TOKEN_ENCRYPTION_KEY: 'not base64!' },
      'TOKEN_ENCRYPTION_KEY: each key must be base64',
    ],
    ['short admin token', { ADMIN_TOKEN: 'short' }, 'ADMIN_TOKEN: must be at least 16 characters'],
    ['bad date', { SYNC_BACKFILL_START: '2024-13-45' }, 'SYNC_BACKFILL_START: expected date'],
    [
      'share above 1',
      { JIRA_RECONCILE_BUDGET_SHARE: '1.5' },
      'JIRA_RECONCILE_BUDGET_SHARE: must be at most 1',
    ],
  ])('%s names the variable and what it expects', (_case, overrides, expected) => {
    const problems = problemsOf(validEnv(overrides));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });

  it('reports every bad variable, one line each', () => {
    const problems = problemsOf({ PORT: 'x', ROLE: 'y' });
    const names = problems.map((p) => p.split(':')[0]);
    expect(names).toEqual(
      expect.arrayContaining(['PORT', 'ROLE', 'PUBLIC_URL', 'ATLASSIAN_CLIENT_ID', 'TOKEN_ENCRYPTION_KEY']),
    );
    expect(new Set(names).size).toBe(names.length);
    for (const p of problems) expect(p).not.toContain('\n');
  });

  it('never echoes a secret value, even a bad one', () => {
    const secretish = 'c3VwZXItc2VjcmV0LXZhbHVlLTEyMw==';
    const problems = problemsOf(
      validEnv({
        TOKEN_ENCRYPTION_KEY: secretish,
        ADMIN_TOKEN: 'tiny-secret',
        REDIS_URL: 'http://user:pw@x',
      }),
    );
    const text = problems.join('\n');
    expect(text).toContain('TOKEN_ENCRYPTION_KEY');
    expect(text).toContain('ADMIN_TOKEN');
    expect(text).toContain('REDIS_URL');
    for (const value of [secretish, 'tiny-secret', 'user:pw']) expect(text).not.toContain(value);
  });

  it.each([
    ['a bad boolean', 'TEXT_MARKDOWN', 'maybe-hunter2-s3cret', 'TEXT_MARKDOWN: expected one of "true"'],
    [
      'a queue prefix that breaks its pattern',
      'QUEUE_PREFIX',
      'relay prefix/hunter2-s3cret',
      'QUEUE_PREFIX: letters, digits, `:_-{}`',
    ],
  ])(
    'gives %s one readable line naming the variable, without echoing any secret',
    (_case, name, bad, expected) => {
      const env = validEnv({ [name]: bad });
      let error: unknown;
      try {
        loadConfig(env);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const { problems, message } = error as ConfigError;
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(expected);
      expect(problems[0]?.startsWith(`${name}: `)).toBe(true);
      expect(problems[0]).not.toContain('\n');
      // Neither the bad value nor any secret of the environment appears in what the process prints.
      const secrets = [env.ATLASSIAN_CLIENT_SECRET, env.TOKEN_ENCRYPTION_KEY, env.ADMIN_TOKEN] as string[];
      for (const text of [problems[0] ?? '', message]) {
        expect(text).not.toContain(bad);
        expect(text).not.toContain('hunter2');
        for (const secret of secrets) expect(text).not.toContain(secret);
      }
    },
  );

  it('never echoes any value given, secret or not', () => {
    const problems = problemsOf(validEnv({ PORT: 'port-value-xyz', LOG_LEVEL: 'loud-xyz' }));
    expect(problems.join('\n')).not.toContain('xyz');
  });
});

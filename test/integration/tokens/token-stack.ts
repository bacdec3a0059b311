import type { FastifyInstance } from 'fastify';
import { onTestFinished } from 'vitest';
import { type Config, loadConfig } from '../../../config/index.ts';
import { buildApp } from '../../../src/app.ts';
import type { RequestBudget } from '../../../src/atlassian/budget/request-budget.ts';
import { JiraClient } from '../../../src/atlassian/jira/jira-client.ts';
import { jiraClientOptions } from '../../../src/composition/jira-services.ts';
import { oauthRouteDeps } from '../../../src/composition/route-deps.ts';
import { createTokenServices, type TokenServices } from '../../../src/composition/token-services.ts';
import type { Connection } from '../../../src/connections/connection.ts';
import { createLogger, type Logger } from '../../../src/logger.ts';
import { createRedisClient, type RedisClient } from '../../../src/state/redis-client.ts';
import { lineCollector } from '../../helpers/log-capture.ts';
import { deleteKeysWithPrefix } from '../../helpers/redis-keys.ts';
import { atlassianEnv } from '../../helpers/relay-env.ts';
import { redisEnv, uniqueName } from '../../helpers/services.ts';
import { validEnv } from '../../helpers/valid-env.ts';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../sim/index.ts';

/** The relay's token side against a real simulator and real Redis, torn down when the test ends. */
export interface TokenStack {
  readonly sim: Simulator;
  readonly config: Config;
  /** This run's Redis (its cluster on a cluster run), as the relay's stores use it. */
  readonly redis: RedisClient;
  readonly keyPrefix: string;
  readonly services: TokenServices;
  readonly app: FastifyInstance;
  /** Every log line the stack wrote, raw. */
  readonly logs: string[];
  readonly log: Logger;
  /** Connections passed to onConnected, one array per consent. */
  readonly connectedCalls: Connection[][];
  /** Env that rebuilds the same stack in another process (see refresh-race.child.ts). */
  readonly childEnv: Record<string, string>;
  jira(connection: Connection, budget?: RequestBudget): JiraClient;
}

export interface StackOptions {
  readonly sim?: SimulatorOptions;
  readonly env?: Record<string, string>;
  /** Share the simulator's clock, so tests skip token lifetimes by advancing it. Default true. */
  readonly simClock?: boolean;
  readonly onConnected?: (connections: Connection[]) => Promise<void>;
}

const publicUrl = 'http://relay.test';

export async function startTokenStack(opts: StackOptions = {}): Promise<TokenStack> {
  const sim = await startSimulator({ port: 0, ...opts.sim });
  onTestFinished(() => sim.close());
  const keyPrefix = uniqueName('jr-tokens');
  const env = validEnv({
    PUBLIC_URL: publicUrl,
    ...redisEnv(),
    ...atlassianEnv(sim),
    JIRA_RETRY_BASE_DELAY_MS: '20',
    JIRA_RETRY_MAX_DELAY_MS: '200',
    TOKEN_REFRESH_LOCK_POLL_MS: '10',
    ...opts.env,
  });
  const config = loadConfig(env);
  const redis = createRedisClient(config, { maxRetriesPerRequest: null });
  onTestFinished(async () => {
    await deleteKeysWithPrefix(redis, keyPrefix);
    await redis.quit();
  });
  const logs: string[] = [];
  const log = createLogger({ level: 'debug', destination: lineCollector(logs) });
  const now = opts.simClock === false ? Date.now : sim.clock.now;
  const services = createTokenServices(config, { redis, log, keyPrefix, now });
  const connectedCalls: Connection[][] = [];
  const onConnected =
    opts.onConnected ??
    (async (connections: Connection[]) => {
      connectedCalls.push(connections);
    });
  const app = await buildApp({
    config,
    log,
    readiness: [],
    oauth: { ...oauthRouteDeps(config, services, onConnected), now },
  });
  onTestFinished(() => app.close());
  const childEnv = Object.fromEntries(
    Object.entries({ ...env, KEY_PREFIX: keyPrefix }).filter(
      (e): e is [string, string] => e[1] !== undefined,
    ),
  );
  return {
    sim,
    config,
    redis,
    keyPrefix,
    services,
    app,
    logs,
    log,
    connectedCalls,
    childEnv,
    jira: (connection, budget) =>
      new JiraClient(connection, {
        ...jiraClientOptions(config, { tokens: services.tokens, log, ...(budget ? { budget } : {}) }),
        now,
      }),
  };
}

export interface ConsentResult {
  readonly status: number;
  readonly html: string;
  /** The callback URL the browser was sent to (path and query), for replays. */
  readonly callback: string;
  readonly cookie: string;
}

/**
 * A browser going through the consent: /oauth/start on the relay, /authorize on the simulator
 * (auto-consent as `accountId`), back to /oauth/callback with the state cookie.
 */
export async function consent(stack: TokenStack, accountId?: string): Promise<ConsentResult> {
  const { cookie, authorizeUrl } = await startConsent(stack);
  if (accountId) stack.sim.setNextConsentUser(accountId);
  const authorize = await fetch(authorizeUrl, { redirect: 'manual' });
  const location = authorize.headers.get('location');
  if (authorize.status !== 302 || !location) throw new Error(`authorize answered ${authorize.status}`);
  const callback = pathOf(location);
  const response = await stack.app.inject({ method: 'GET', url: callback, headers: { cookie } });
  return { status: response.statusCode, html: response.body, callback, cookie };
}

/** GET /oauth/start with a fresh connect link (for `site`, or any): the state cookie and where the browser is sent. */
export async function startConsent(
  stack: TokenStack,
  cookie?: string,
  site: string | null = null,
): Promise<{ cookie: string; authorizeUrl: string }> {
  const { token } = await stack.services.connectLinks.issue({ site }, Date.now());
  const start = await stack.app.inject({
    method: 'GET',
    url: `/oauth/start?link=${token}`,
    ...(cookie ? { headers: { cookie } } : {}),
  });
  if (start.statusCode !== 302) throw new Error(`/oauth/start answered ${start.statusCode}`);
  const setCookie = start.headers['set-cookie'];
  const first = (Array.isArray(setCookie) ? setCookie[0] : setCookie) ?? '';
  return { cookie: first.split(';')[0] ?? '', authorizeUrl: String(start.headers.location) };
}

export function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

export { dumpKeys } from '../../helpers/redis-keys.ts';

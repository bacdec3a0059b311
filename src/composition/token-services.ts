import type { Config } from '../../config/index.ts';
import { RedisConnectLinkStore } from '../atlassian/oauth/connect-link-store.ts';
import { AtlassianOAuthClient } from '../atlassian/oauth/oauth-client.ts';
import { OAuthStateStore } from '../atlassian/oauth/oauth-state-store.ts';
import type { RefreshOutcome } from '../atlassian/oauth/token-response.ts';
import type { ConnectionStore } from '../connections/connection-store.ts';
import { RedisConnectionStore } from '../connections/redis-connection-store.ts';
import type { Logger } from '../logger.ts';
import { FixedWindowLimit } from '../state/fixed-window-limit.ts';
import type { RedisClient } from '../state/redis-client.ts';
import { GrantRefresher } from '../tokens/grant-refresher.ts';
import { RedisTokenStore } from '../tokens/redis-token-store.ts';
import { RedisRefreshLock } from '../tokens/refresh-lock.ts';
import { createTokenCipher, type TokenCipher } from '../tokens/token-cipher.ts';
import type { TokenEndpoint } from '../tokens/token-endpoint.ts';
import { TokenManager } from '../tokens/token-manager.ts';

export interface TokenServices {
  readonly oauth: AtlassianOAuthClient;
  readonly tokenStore: RedisTokenStore;
  readonly connections: ConnectionStore;
  readonly states: OAuthStateStore;
  readonly tokens: TokenManager;
  /** Seals secrets at rest (grants, webhook secrets) with TOKEN_ENCRYPTION_KEY. */
  readonly cipher: TokenCipher;
  /** Single-use links that start a consent (issued through the admin API). */
  readonly connectLinks: RedisConnectLinkStore;
  /** OAUTH_START_MAX_PER_MINUTE per client address, shared by every api process. */
  readonly startLimit: FixedWindowLimit;
}

export interface TokenServicesDeps {
  readonly redis: RedisClient;
  readonly log: Logger;
  /** Prefix of every Redis key (grants, connections, OAuth states, locks). */
  readonly keyPrefix: string;
  /** The clock; tests share the simulator's to skip token lifetimes instead of waiting. */
  readonly now?: () => number;
  /** Sees the outcome of every refresh request (metrics). */
  readonly onRefreshOutcome?: (kind: RefreshOutcome['kind']) => void;
}

type TokenConfig = Pick<
  Config,
  | 'PUBLIC_URL'
  | 'ATLASSIAN_CLIENT_ID'
  | 'ATLASSIAN_CLIENT_SECRET'
  | 'ATLASSIAN_AUTH_URL'
  | 'ATLASSIAN_API_URL'
  | 'ATLASSIAN_SCOPES'
  | 'TOKEN_ENCRYPTION_KEY'
  | 'TOKEN_REFRESH_MARGIN_SECONDS'
  | 'TOKEN_REFRESH_LOCK_MS'
  | 'TOKEN_REFRESH_LOCK_POLL_MS'
  | 'TOKEN_REFRESH_TIMEOUT_MS'
  | 'TOKEN_REFRESH_ATTEMPTS'
  | 'TOKEN_REUSE_WINDOW_SECONDS'
  | 'TOKEN_KEEPALIVE_IDLE_DAYS'
  | 'OAUTH_STATE_TTL_SECONDS'
  | 'CONNECT_LINK_TTL_SECONDS'
  | 'OAUTH_START_MAX_PER_MINUTE'
  | 'OAUTH_STATE_MEMORY_SECONDS'
>;

/** The OAuth client, stores and token manager built from configuration: one wiring for every process. */
export function createTokenServices(config: TokenConfig, deps: TokenServicesDeps): TokenServices {
  const now = deps.now ?? Date.now;
  const { redis, keyPrefix } = deps;
  const oauth = new AtlassianOAuthClient({
    authUrl: config.ATLASSIAN_AUTH_URL,
    apiUrl: config.ATLASSIAN_API_URL,
    clientId: config.ATLASSIAN_CLIENT_ID,
    clientSecret: config.ATLASSIAN_CLIENT_SECRET,
    redirectUri: `${config.PUBLIC_URL}/oauth/callback`,
    scopes: config.ATLASSIAN_SCOPES,
    timeoutMs: config.TOKEN_REFRESH_TIMEOUT_MS,
    now,
  });
  const cipher = createTokenCipher(config.TOKEN_ENCRYPTION_KEY);
  const tokenStore = new RedisTokenStore({ redis, keyPrefix, cipher });
  const connections = new RedisConnectionStore({ redis, keyPrefix, now });
  const tokens = new TokenManager({
    refresher: createRefresher(
      config,
      deps,
      tokenStore,
      deps.onRefreshOutcome ? observeRefreshes(oauth, deps.onRefreshOutcome) : oauth,
    ),
    store: tokenStore,
    connections,
    log: deps.log.child({ component: 'tokens' }),
    refreshMarginMs: config.TOKEN_REFRESH_MARGIN_SECONDS * 1000,
    keepAliveIdleMs: config.TOKEN_KEEPALIVE_IDLE_DAYS * 86_400_000,
    now,
  });
  const states = new OAuthStateStore({
    redis,
    keyPrefix,
    ttlSeconds: config.OAUTH_STATE_TTL_SECONDS,
    memorySeconds: config.OAUTH_STATE_MEMORY_SECONDS,
  });
  const connectLinks = new RedisConnectLinkStore({
    redis,
    keyPrefix,
    ttlSeconds: config.CONNECT_LINK_TTL_SECONDS,
  });
  const startLimit = new FixedWindowLimit({
    redis,
    keyPrefix,
    name: 'oauth-start',
    max: config.OAUTH_START_MAX_PER_MINUTE,
    now,
  });
  return { oauth, tokenStore, connections, states, tokens, cipher, connectLinks, startLimit };
}

function createRefresher(
  config: TokenConfig,
  deps: TokenServicesDeps,
  store: RedisTokenStore,
  endpoint: TokenEndpoint,
): GrantRefresher {
  // The lock must outlive every token request its holder may send, or a second process could send
  // the same refresh token while the first still waits for its answer.
  const lockMs = Math.max(
    config.TOKEN_REFRESH_LOCK_MS,
    config.TOKEN_REFRESH_ATTEMPTS * config.TOKEN_REFRESH_TIMEOUT_MS + 1000,
  );
  return new GrantRefresher({
    store,
    endpoint,
    lock: new RedisRefreshLock({
      redis: deps.redis,
      keyPrefix: deps.keyPrefix,
      ttlMs: lockMs,
    }),
    log: deps.log.child({ component: 'token-refresh' }),
    now: deps.now ?? Date.now,
    // A waiter gives up only after the holder's lock would have expired and its request timed out.
    lockWaitMs: lockMs + config.TOKEN_REFRESH_TIMEOUT_MS,
    pollMs: config.TOKEN_REFRESH_LOCK_POLL_MS,
    reuseWindowMs: config.TOKEN_REUSE_WINDOW_SECONDS * 1000,
    attempts: config.TOKEN_REFRESH_ATTEMPTS,
  });
}

function observeRefreshes(
  endpoint: TokenEndpoint,
  see: (kind: RefreshOutcome['kind']) => void,
): TokenEndpoint {
  return {
    async refresh(refreshToken) {
      const outcome = await endpoint.refresh(refreshToken);
      see(outcome.kind);
      return outcome;
    },
  };
}

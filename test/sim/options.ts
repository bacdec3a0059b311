/** Options of startSimulator; `npm run sim` reads the same names from SIM_* environment variables. */
export interface SimulatorOptions {
  /** 0 = a random free port (tests). SIM_PORT, default 4010. */
  port?: number;
  host?: string;
  clientId?: string;
  clientSecret?: string;
  /** When set, /authorize and the code exchange require exactly this redirect_uri (the console's callback URL). */
  callbackUrl?: string;
  sites?: number;
  issuesPerSite?: number;
  /** Atlassian accounts (users) in the world; every user can see every site unless told otherwise. */
  users?: number;
  seed?: number;
  /** Consent at once on /authorize (default); false shows a consent page with an Accept button. */
  autoConsent?: boolean;
  accessTokenTtlSeconds?: number;
  /** How long a rotated refresh token (and the old access token) keeps working. */
  refreshReuseWindowSeconds?: number;
  /** Idle lifetime of a refresh token (Atlassian: 90 days). */
  refreshInactivitySeconds?: number;
  authCodeTtlSeconds?: number;
  /** Length of the points window; windows are aligned to multiples of it since the epoch (the top of the hour). */
  quotaWindowSeconds?: number;
  pointsPerWindow?: number;
  /** Burst buckets per site, endpoint and method: requests per second (0 disables). */
  burstGetPostPerSecond?: number;
  burstPutDeletePerSecond?: number;
  /** Per-issue write limits: [count, seconds] pairs (Atlassian: 20 per 2 s and 100 per 30 s). */
  perIssueWriteLimits?: Array<[number, number]>;
  webhookExpirySeconds?: number;
  /** Delays before retry 1..n (up to 5 retries). Atlassian: 5 to 15 minutes. */
  webhookRetryDelaysMs?: number[];
  /** How long a webhook receiver may take before the delivery counts as timed out. */
  webhookTimeoutMs?: number;
  /** Webhook JWT lifetime. */
  webhookJwtTtlSeconds?: number;
  /** Search is eventually consistent: issues changed less than this long ago are not found yet (reconcileIssues excepted). */
  searchLagMs?: number;
  /** Added latency on every API response, in milliseconds. */
  latencyMs?: number;
  /** Share of API requests (0..1) answered with a 503. */
  errorRate?: number;
  /** The base of the simulated clock (default Date.now). */
  now?: () => number;
}

export interface ResolvedOptions {
  readonly port: number;
  readonly host: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly callbackUrl: string | undefined;
  readonly sites: number;
  readonly issuesPerSite: number;
  readonly users: number;
  readonly seed: number;
  readonly autoConsent: boolean;
  readonly accessTokenTtlSeconds: number;
  readonly refreshReuseWindowSeconds: number;
  readonly refreshInactivitySeconds: number;
  readonly authCodeTtlSeconds: number;
  readonly quotaWindowSeconds: number;
  readonly pointsPerWindow: number;
  readonly burstGetPostPerSecond: number;
  readonly burstPutDeletePerSecond: number;
  readonly perIssueWriteLimits: ReadonlyArray<readonly [number, number]>;
  readonly webhookExpirySeconds: number;
  readonly webhookRetryDelaysMs: readonly number[];
  readonly webhookTimeoutMs: number;
  readonly webhookJwtTtlSeconds: number;
  readonly searchLagMs: number;
  readonly latencyMs: number;
  readonly errorRate: number;
  readonly now: () => number;
}

const DAY = 86_400;

export function resolveOptions(o: SimulatorOptions = {}): ResolvedOptions {
  return {
    port: o.port ?? 0,
    host: o.host ?? '127.0.0.1',
    clientId: o.clientId ?? 'sim-client-id',
    clientSecret: o.clientSecret ?? 'sim-client-secret',
    callbackUrl: o.callbackUrl,
    sites: o.sites ?? 2,
    issuesPerSite: o.issuesPerSite ?? 200,
    users: o.users ?? 6,
    seed: o.seed ?? 42,
    autoConsent: o.autoConsent ?? true,
    accessTokenTtlSeconds: o.accessTokenTtlSeconds ?? 3600,
    refreshReuseWindowSeconds: o.refreshReuseWindowSeconds ?? 600,
    refreshInactivitySeconds: o.refreshInactivitySeconds ?? 90 * DAY,
    authCodeTtlSeconds: o.authCodeTtlSeconds ?? 600,
    quotaWindowSeconds: o.quotaWindowSeconds ?? 3600,
    pointsPerWindow: o.pointsPerWindow ?? 65_000,
    burstGetPostPerSecond: o.burstGetPostPerSecond ?? 100,
    burstPutDeletePerSecond: o.burstPutDeletePerSecond ?? 50,
    perIssueWriteLimits: o.perIssueWriteLimits ?? [
      [20, 2],
      [100, 30],
    ],
    webhookExpirySeconds: o.webhookExpirySeconds ?? 30 * DAY,
    webhookRetryDelaysMs: o.webhookRetryDelaysMs ?? [300_000, 450_000, 600_000, 750_000, 900_000],
    webhookTimeoutMs: o.webhookTimeoutMs ?? 10_000,
    webhookJwtTtlSeconds: o.webhookJwtTtlSeconds ?? 900,
    searchLagMs: o.searchLagMs ?? 0,
    latencyMs: o.latencyMs ?? 0,
    errorRate: o.errorRate ?? 0,
    now: o.now ?? Date.now,
  };
}

/** Reads SIM_* variables for `npm run sim`; unset ones keep their defaults. */
export function optionsFromEnv(env: Record<string, string | undefined>): SimulatorOptions {
  const num = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new Error(`${name} must be a number, got "${raw}"`);
    return value;
  };
  const options: SimulatorOptions = { port: num('SIM_PORT') ?? 4010 };
  const set = <K extends keyof SimulatorOptions>(key: K, value: SimulatorOptions[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  set('host', env.SIM_HOST || undefined);
  set('clientId', env.SIM_CLIENT_ID || undefined);
  set('clientSecret', env.SIM_CLIENT_SECRET || undefined);
  set('callbackUrl', env.SIM_CALLBACK_URL || undefined);
  set('sites', num('SIM_SITES'));
  set('issuesPerSite', num('SIM_ISSUES_PER_SITE'));
  set('users', num('SIM_USERS'));
  set('seed', num('SIM_SEED'));
  if (env.SIM_AUTO_CONSENT) options.autoConsent = !['0', 'false', 'off', 'no'].includes(env.SIM_AUTO_CONSENT);
  set('accessTokenTtlSeconds', num('SIM_ACCESS_TOKEN_TTL_SECONDS'));
  set('refreshReuseWindowSeconds', num('SIM_REFRESH_REUSE_WINDOW_SECONDS'));
  set('quotaWindowSeconds', num('SIM_QUOTA_WINDOW_SECONDS'));
  set('pointsPerWindow', num('SIM_POINTS_PER_WINDOW'));
  set('webhookExpirySeconds', num('SIM_WEBHOOK_EXPIRY_SECONDS'));
  set('latencyMs', num('SIM_LATENCY_MS'));
  set('searchLagMs', num('SIM_SEARCH_LAG_MS'));
  set('errorRate', num('SIM_ERROR_RATE'));
  if (env.SIM_WEBHOOK_RETRY_DELAYS_MS) {
    options.webhookRetryDelaysMs = env.SIM_WEBHOOK_RETRY_DELAYS_MS.split(',').map((s) => Number(s.trim()));
  }
  return options;
}

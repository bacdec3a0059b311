import got, { type Got, RequestError } from 'got';
import { z } from 'zod';
import { RelayError } from '../../errors.ts';
import { secretFreeCause } from '../jira/jira-http-error.ts';
import type { RefreshOutcome, TokenPair } from './token-response.ts';

export interface OAuthClientOptions {
  /** ATLASSIAN_AUTH_URL: `/authorize` and `/oauth/token`. */
  readonly authUrl: string;
  /** ATLASSIAN_API_URL: accessible-resources, `/me`, and the Jira gateway. */
  readonly apiUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** `${PUBLIC_URL}/oauth/callback`. */
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly timeoutMs: number;
  readonly now?: () => number;
}

/** One entry of `accessible-resources`: a site (or another product's container on it). */
export interface AccessibleResource {
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly scopes: readonly string[];
}

const tokenResponse = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.number().positive(),
  scope: z.string().optional(),
});
const errorResponse = z.object({ error: z.string(), error_description: z.string().optional() }).partial();
const resourcesResponse = z.array(
  z.object({ id: z.string().min(1), name: z.string(), url: z.url(), scopes: z.array(z.string()) }),
);
const accountResponse = z.union([
  z.object({ account_id: z.string().min(1) }).transform((me) => me.account_id),
  z.object({ accountId: z.string().min(1) }).transform((myself) => myself.accountId),
]);

/** Errors on which the request never left this host, so a refresh token cannot have been used. */
const notSentCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);
const terminalErrors = new Set(['invalid_grant', 'unauthorized_client']);

/** Atlassian OAuth 2.0 (3LO): the authorize URL, the token endpoint, and the discovery calls. */
export class AtlassianOAuthClient {
  readonly #opts: OAuthClientOptions;
  readonly #http: Got;
  readonly #now: () => number;

  constructor(opts: OAuthClientOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    // No retries here: whether a token request may be repeated is the token manager's decision.
    this.#http = got.extend({
      throwHttpErrors: false,
      retry: { limit: 0 },
      timeout: { request: opts.timeoutMs },
      responseType: 'json',
    });
  }

  authorizeUrl(state: string): string {
    const url = new URL(`${this.#opts.authUrl}/authorize`);
    url.search = new URLSearchParams({
      audience: 'api.atlassian.com',
      client_id: this.#opts.clientId,
      scope: this.#opts.scopes.join(' '),
      redirect_uri: this.#opts.redirectUri,
      state,
      response_type: 'code',
      prompt: 'consent',
    }).toString();
    return url.toString();
  }

  /** Trades the callback's code for the first token pair; no refresh token means no offline_access. */
  async exchangeCode(code: string): Promise<TokenPair> {
    const sentAt = this.#now();
    const response = await this.#tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.#opts.redirectUri,
    }).catch((err: unknown) => {
      throw new RelayError('OAUTH_EXCHANGE_FAILED', 'the token endpoint did not answer', {
        retryable: true,
        cause: secretFreeCause(err),
      });
    });
    if (response.statusCode !== 200) {
      const { error } = errorResponse.catch({}).parse(response.body);
      throw new RelayError(
        'OAUTH_EXCHANGE_FAILED',
        `code exchange refused (${response.statusCode} ${error ?? 'no error code'})`,
      );
    }
    const pair = toPair(response.body, sentAt);
    if (!pair)
      throw new RelayError('OAUTH_EXCHANGE_FAILED', 'no refresh token granted (offline_access missing)');
    return pair;
  }

  async refresh(refreshToken: string): Promise<RefreshOutcome> {
    const sentAt = this.#now();
    try {
      const response = await this.#tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken });
      return classifyRefresh(response.statusCode, response.body, sentAt);
    } catch (err) {
      const code = err instanceof RequestError ? err.code : undefined;
      if (code && notSentCodes.has(code)) return { kind: 'not_sent', reason: code };
      return { kind: 'unknown', reason: code ?? (err instanceof Error ? err.name : 'error') };
    }
  }

  async accessibleResources(accessToken: string): Promise<AccessibleResource[]> {
    const body = await this.#apiGet('/oauth/token/accessible-resources', accessToken);
    return resourcesResponse.parse(body);
  }

  /**
   * The consenting account's id: from `/me` when `read:me` was granted, else from Jira's `myself`
   * on one of the sites (classic `read:jira-user`), so the default scopes need no User Identity API.
   */
  async accountId(accessToken: string, grantedScopes: readonly string[], cloudId: string): Promise<string> {
    const path = grantedScopes.includes('read:me') ? '/me' : `/ex/jira/${cloudId}/rest/api/3/myself`;
    return accountResponse.parse(await this.#apiGet(path, accessToken));
  }

  #tokenRequest(grant: Record<string, string>) {
    return this.#http.post(`${this.#opts.authUrl}/oauth/token`, {
      json: { ...grant, client_id: this.#opts.clientId, client_secret: this.#opts.clientSecret },
    });
  }

  async #apiGet(path: string, accessToken: string): Promise<unknown> {
    const response = await this.#http
      .get(`${this.#opts.apiUrl}${path}`, { headers: { authorization: `Bearer ${accessToken}` } })
      .catch((err: unknown) => {
        throw new RelayError('OAUTH_EXCHANGE_FAILED', `GET ${path} did not answer`, {
          retryable: true,
          cause: secretFreeCause(err),
        });
      });
    if (response.statusCode !== 200) {
      throw new RelayError('OAUTH_EXCHANGE_FAILED', `GET ${path} answered ${response.statusCode}`, {
        retryable: response.statusCode >= 500,
      });
    }
    return response.body;
  }
}

function classifyRefresh(status: number, body: unknown, sentAt: number): RefreshOutcome {
  if (status === 200) {
    const pair = toPair(body, sentAt);
    // A 200 without a usable pair has still consumed the token; treat it like a lost answer.
    return pair ? { kind: 'rotated', pair } : { kind: 'unknown', reason: 'malformed token response' };
  }
  const { error = '', error_description: description = '' } = errorResponse.catch({}).parse(body);
  if (terminalErrors.has(error)) return { kind: 'revoked', error, description };
  if (status >= 500) return { kind: 'unknown', reason: `status ${status}` };
  return { kind: 'refused', status, error: error || `status ${status}` };
}

function toPair(body: unknown, sentAt: number): TokenPair | null {
  const parsed = tokenResponse.safeParse(body);
  if (!parsed.success || parsed.data.refresh_token === undefined) return null;
  const { access_token, refresh_token, expires_in, scope } = parsed.data;
  return {
    accessToken: access_token,
    refreshToken: refresh_token,
    // Counted from when the request was sent, so the stored expiry is never later than the real one.
    expiresAt: sentAt + expires_in * 1000,
    scopes: scope ? scope.split(' ').filter(Boolean) : [],
  };
}

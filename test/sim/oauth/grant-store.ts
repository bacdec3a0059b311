import { randomBytes } from 'node:crypto';
import type { ResolvedOptions } from '../options.ts';

/**
 * Atlassian's account-level 3LO grants with Auth0-style rotating refresh tokens: each refresh
 * returns a new pair; the used refresh token (and its companion access token) keeps working for the
 * reuse window; reusing it after the window revokes the whole grant.
 *
 * A grant holds one token family per code exchange (each consent of the same account joins the
 * account's grant while it is alive); a family is the chain of pairs its refreshes rotate through.
 */
export interface Grant {
  readonly id: string;
  readonly accountId: string;
  scopes: string[];
  /**
   * Why every token of the grant stopped working: the user removed the app, or a rotated refresh
   * token came back after the reuse window (breach detection). Null while the grant is alive.
   */
  revokedBy: 'user' | 'reuse' | null;
}

interface Family {
  readonly id: string;
  readonly grant: Grant;
  readonly scopes: string[];
}

interface RefreshRecord {
  readonly family: Family;
  lastUsedAt: number;
  rotatedAt: number | null;
}

interface AccessRecord {
  readonly family: Family;
  expiresAt: number;
  readonly refreshToken: string | undefined;
}

interface AuthCode {
  readonly accountId: string;
  readonly redirectUri: string;
  readonly scopes: string[];
  readonly expiresAt: number;
  used: boolean;
}

export interface TokenResponse {
  access_token: string;
  expires_in: number;
  token_type: 'Bearer';
  scope: string;
  refresh_token?: string;
}

type OAuthError = { status: number; body: { error: string; error_description: string } };
export type TokenResult = { ok: true; tokens: TokenResponse } | { ok: false; error: OAuthError };

export interface AccessContext {
  readonly accountId: string;
  readonly scopes: readonly string[];
  readonly grantId: string;
}

const INVALID_REFRESH: OAuthError = {
  status: 403,
  body: { error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' },
};
/** What Atlassian answers once the user removed the app (observed in the field, undocumented). */
const REVOKED_GRANT: OAuthError = {
  status: 403,
  body: { error: 'unauthorized_client', error_description: 'refresh_token is invalid' },
};

const token = (): string => randomBytes(32).toString('base64url');

export class GrantStore {
  private readonly options: ResolvedOptions;
  private readonly grants = new Map<string, Grant>();
  private readonly codes = new Map<string, AuthCode>();
  private readonly refreshTokens = new Map<string, RefreshRecord>();
  private readonly accessTokens = new Map<string, AccessRecord>();
  private nextId = 1;

  constructor(options: ResolvedOptions) {
    this.options = options;
  }

  issueCode(accountId: string, redirectUri: string, scopes: string[], now: number): string {
    const code = token();
    this.codes.set(code, {
      accountId,
      redirectUri,
      scopes,
      expiresAt: now + this.options.authCodeTtlSeconds * 1000,
      used: false,
    });
    return code;
  }

  exchangeCode(code: string, redirectUri: string | undefined, now: number): TokenResult {
    const record = this.codes.get(code);
    if (!record || record.used || record.expiresAt <= now) {
      return fail(403, 'invalid_grant', 'Invalid authorization code');
    }
    record.used = true;
    if (redirectUri !== record.redirectUri) {
      return fail(403, 'invalid_grant', 'Invalid redirect_uri: it does not match the authorization request');
    }
    const grant = this.grantFor(record.accountId, record.scopes);
    const family: Family = { id: String(this.nextId++), grant, scopes: record.scopes };
    return { ok: true, tokens: this.issuePair(family, now) };
  }

  refresh(refreshToken: string, now: number): TokenResult {
    const record = this.refreshTokens.get(refreshToken);
    if (!record) return { ok: false, error: INVALID_REFRESH };
    const { family } = record;
    if (family.grant.revokedBy === 'user') return { ok: false, error: REVOKED_GRANT };
    if (family.grant.revokedBy === 'reuse') return { ok: false, error: INVALID_REFRESH };
    if (now - record.lastUsedAt > this.options.refreshInactivitySeconds * 1000) {
      return { ok: false, error: INVALID_REFRESH };
    }
    if (record.rotatedAt !== null && now - record.rotatedAt > this.reuseWindowMs()) {
      // Breach detection: a rotated token came back after the leeway. The whole grant goes: every
      // family of it (other consents of the same account too) and every access token.
      family.grant.revokedBy = 'reuse';
      return { ok: false, error: INVALID_REFRESH };
    }
    if (record.rotatedAt === null) record.rotatedAt = now;
    record.lastUsedAt = now;
    return { ok: true, tokens: this.issuePair(family, now) };
  }

  /** The caller behind a bearer token, or undefined when it is unknown, expired or revoked. */
  authenticate(accessToken: string, now: number): AccessContext | undefined {
    const record = this.accessTokens.get(accessToken);
    if (!record || record.expiresAt <= now) return undefined;
    const { family } = record;
    if (family.grant.revokedBy !== null) return undefined;
    const companion = record.refreshToken ? this.refreshTokens.get(record.refreshToken) : undefined;
    // The old access token dies with its refresh token's grace period (Atlassian, 2024 announcement).
    if (companion?.rotatedAt != null && now - companion.rotatedAt > this.reuseWindowMs()) return undefined;
    return { accountId: family.grant.accountId, scopes: family.scopes, grantId: family.grant.id };
  }

  /** Every access and refresh token ever issued (inspection: proves none is stored in clear). */
  issuedTokens(): string[] {
    return [...this.accessTokens.keys(), ...this.refreshTokens.keys()];
  }

  /** The user removes the app: every token of the grant stops working. */
  revokeGrant(accountId: string): boolean {
    const grant = this.grants.get(accountId);
    if (!grant || grant.revokedBy !== null) return false;
    grant.revokedBy = 'user';
    return true;
  }

  /** Makes every current access token (of one account, or all) expired now. */
  expireAccessTokens(now: number, accountId?: string): number {
    let count = 0;
    for (const record of this.accessTokens.values()) {
      if (accountId && record.family.grant.accountId !== accountId) continue;
      if (record.expiresAt > now) {
        record.expiresAt = now;
        count++;
      }
    }
    return count;
  }

  private grantFor(accountId: string, scopes: string[]): Grant {
    const existing = this.grants.get(accountId);
    if (existing && existing.revokedBy === null) {
      existing.scopes = scopes;
      return existing;
    }
    const grant: Grant = { id: `grant-${this.nextId++}`, accountId, scopes, revokedBy: null };
    this.grants.set(accountId, grant);
    return grant;
  }

  private issuePair(family: Family, now: number): TokenResponse {
    const accessToken = token();
    const offline = family.scopes.includes('offline_access');
    const refreshToken = offline ? token() : undefined;
    const expiresIn = this.options.accessTokenTtlSeconds;
    this.accessTokens.set(accessToken, { family, expiresAt: now + expiresIn * 1000, refreshToken });
    if (refreshToken) {
      this.refreshTokens.set(refreshToken, { family, lastUsedAt: now, rotatedAt: null });
    }
    const response: TokenResponse = {
      access_token: accessToken,
      expires_in: expiresIn,
      token_type: 'Bearer',
      scope: family.scopes.join(' '),
    };
    if (refreshToken) response.refresh_token = refreshToken;
    return response;
  }

  private reuseWindowMs(): number {
    return this.options.refreshReuseWindowSeconds * 1000;
  }
}

function fail(status: number, error: string, description: string): TokenResult {
  return { ok: false, error: { status, body: { error, error_description: description } } };
}

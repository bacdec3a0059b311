import type { AccessTokenSource } from '../atlassian/jira/jira-client.ts';
import type { Connection } from '../connections/connection.ts';
import type { ConnectionStore } from '../connections/connection-store.ts';
import type { Logger } from '../logger.ts';
import type { Grant } from './grant.ts';
import type { GrantRefresher, GrantResult } from './grant-refresher.ts';
import { type ResealReport, resealGrants } from './grant-resealer.ts';
import { ReauthRequiredError } from './reauth-required-error.ts';
import type { TokenStore } from './token-store.ts';

export interface TokenManagerOptions {
  readonly refresher: GrantRefresher;
  readonly store: TokenStore;
  readonly connections: ConnectionStore;
  readonly log: Logger;
  /** TOKEN_REFRESH_MARGIN_SECONDS in ms. */
  readonly refreshMarginMs: number;
  /** TOKEN_KEEPALIVE_IDLE_DAYS in ms. */
  readonly keepAliveIdleMs: number;
  readonly now?: () => number;
}

export interface KeepAliveReport {
  readonly refreshed: number;
  readonly reauthRequired: number;
  readonly failed: number;
}

/** One account's access token, or why its grant cannot give one (an expected outcome, not a throw). */
export type AccountToken =
  | { readonly kind: 'ok'; readonly token: string }
  | { readonly kind: 'reauth'; readonly reason: string };

interface CachedToken {
  readonly token: string;
  /** Epoch ms from which the token counts as expiring (expiry minus the margin). */
  readonly refreshAt: number;
}

/**
 * Access tokens for connections. The warm path is one map lookup; everything else goes through a
 * single flight per grant (one refresh per process at a time) and the GrantRefresher (one across
 * processes). A connection uses the first of its accounts whose grant works; when none does, it is
 * marked reauth_required and calls fail with ReauthRequiredError, without token requests.
 */
export class TokenManager implements AccessTokenSource {
  readonly #o: TokenManagerOptions;
  readonly #now: () => number;
  readonly #cache = new Map<string, CachedToken>();
  readonly #flights = new Map<string, Promise<GrantResult>>();

  constructor(opts: TokenManagerOptions) {
    this.#o = opts;
    this.#now = opts.now ?? Date.now;
  }

  getAccessToken(connection: Connection): Promise<string> {
    const now = this.#now();
    for (const accountId of connection.accountIds) {
      const cached = this.#cache.get(accountId);
      if (cached !== undefined && cached.refreshAt > now) return Promise.resolve(cached.token);
    }
    return this.#resolve(connection, (grant) => this.#expiring(grant));
  }

  refreshAfterRejection(connection: Connection, rejectedToken: string): Promise<string> {
    for (const [accountId, cached] of this.#cache) {
      if (cached.token === rejectedToken) this.#cache.delete(accountId);
    }
    return this.#resolve(connection, (grant) => grant.accessToken === rejectedToken || this.#expiring(grant));
  }

  /**
   * An access token of this account's own grant, refreshed if needed. Connections pick their first
   * working account; maintenance that asks what one grant reaches (accessible-resources) needs that
   * grant's token and no other.
   */
  async getAccountToken(accountId: string): Promise<AccountToken> {
    const cached = this.#cache.get(accountId);
    if (cached !== undefined && cached.refreshAt > this.#now()) return { kind: 'ok', token: cached.token };
    const result = await this.#ensure(accountId, (grant) => this.#expiring(grant));
    return result.kind === 'ok'
      ? { kind: 'ok', token: result.grant.accessToken }
      : { kind: 'reauth', reason: result.reason };
  }

  /** Forgets an account's cached token (a new consent replaced its grant). */
  forget(accountId: string): void {
    this.#cache.delete(accountId);
  }

  /**
   * Maintenance: refreshes grants not rotated for TOKEN_KEEPALIVE_IDLE_DAYS, so none reaches
   * Atlassian's 90-day inactivity expiry. Failures are counted, not thrown: one bad grant must not
   * stop the sweep.
   */
  async refreshIdleGrants(now: number, batchSize = 500): Promise<KeepAliveReport> {
    const cutoff = now - this.#o.keepAliveIdleMs;
    const report = { refreshed: 0, reauthRequired: 0, failed: 0 };
    for (const accountId of await this.#o.store.listIdle(cutoff, batchSize)) {
      try {
        const result = await this.#ensure(accountId, (grant) => grant.refreshedAt < cutoff);
        if (result.kind === 'ok') report.refreshed++;
        else report.reauthRequired++;
      } catch (err) {
        report.failed++;
        this.#o.log.warn({ err, accountId }, 'keep-alive refresh failed');
      }
    }
    return report;
  }

  /** Maintenance after a key rotation: grants sealed with an older key are re-sealed with the first. */
  resealGrants(): Promise<ResealReport> {
    return resealGrants(this.#o.store, this.#o.log);
  }

  async #resolve(connection: Connection, stale: (grant: Grant) => boolean): Promise<string> {
    let reason = 'the connection lists no account';
    for (const accountId of connection.accountIds) {
      const result = await this.#ensure(accountId, stale);
      if (result.kind === 'ok') return result.grant.accessToken;
      reason = result.reason;
    }
    if (connection.status === 'active') await this.#o.connections.setStatus(connection.id, 'reauth_required');
    throw new ReauthRequiredError(connection, reason);
  }

  /** Joins the grant's flight in this process, or starts one; re-runs if the joined one was for another need. */
  async #ensure(accountId: string, stale: (grant: Grant) => boolean): Promise<GrantResult> {
    for (let round = 0; ; round++) {
      let flight = this.#flights.get(accountId);
      if (!flight) {
        flight = this.#fly(accountId, stale);
        this.#flights.set(accountId, flight);
      }
      const result = await flight;
      if (result.kind !== 'ok' || !stale(result.grant) || round >= 2) return result;
    }
  }

  async #fly(accountId: string, stale: (grant: Grant) => boolean): Promise<GrantResult> {
    try {
      const result = await this.#o.refresher.ensure(accountId, stale);
      if (result.kind === 'ok') {
        const { accessToken, expiresAt } = result.grant;
        this.#cache.set(accountId, { token: accessToken, refreshAt: expiresAt - this.#o.refreshMarginMs });
      } else {
        this.#cache.delete(accountId);
        if (result.marked) await this.#markConnectionsWithoutGrant(accountId);
      }
      return result;
    } finally {
      this.#flights.delete(accountId);
    }
  }

  /** A grant died: every connection that has no other working grant becomes reauth_required. */
  async #markConnectionsWithoutGrant(accountId: string): Promise<void> {
    for (const connection of await this.#o.connections.listByAccount(accountId)) {
      if (connection.status !== 'active') continue;
      const others = connection.accountIds.filter((id) => id !== accountId);
      const grants = await Promise.all(others.map((id) => this.#o.store.get(id)));
      if (grants.some((grant) => grant?.status === 'active')) continue;
      await this.#o.connections.setStatus(connection.id, 'reauth_required');
      this.#o.log.warn(
        { connectionId: connection.id, site: connection.siteHost },
        'connection needs reauthorization',
      );
    }
  }

  #expiring(grant: Grant): boolean {
    return grant.expiresAt - this.#o.refreshMarginMs <= this.#now();
  }
}

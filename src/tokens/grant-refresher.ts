import { setTimeout as sleep } from 'node:timers/promises';
import type { RefreshOutcome } from '../atlassian/oauth/token-response.ts';
import { RelayError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Grant } from './grant.ts';
import type { RefreshLock } from './refresh-lock.ts';
import type { TokenEndpoint } from './token-endpoint.ts';
import type { TokenStore } from './token-store.ts';

export type GrantResult =
  | { readonly kind: 'ok'; readonly grant: Grant }
  /** `marked`: this call turned the grant to reauth_required (it was active before). */
  | { readonly kind: 'reauth'; readonly reason: string; readonly marked: boolean };

export interface GrantRefresherOptions {
  readonly store: TokenStore;
  readonly endpoint: TokenEndpoint;
  readonly lock: RefreshLock;
  readonly log: Logger;
  readonly now: () => number;
  /** How long to wait for another process's refresh before giving up (retryable). */
  readonly lockWaitMs: number;
  readonly pollMs: number;
  /** Atlassian's refresh-token reuse window. */
  readonly reuseWindowMs: number;
  /** Token requests one call may send while outcomes stay unknown. */
  readonly attempts: number;
}

/**
 * Refreshes one grant at a time across processes: a Redis lock, the grant re-read after taking it
 * (another process may have refreshed already), the rotated pair persisted before anyone uses it.
 * A request whose outcome is unknown is repeated with the same refresh token only inside the reuse
 * window; past it, sending that token again could revoke the whole grant, so it is marked instead.
 */
export class GrantRefresher {
  readonly #o: GrantRefresherOptions;

  constructor(opts: GrantRefresherOptions) {
    this.#o = opts;
  }

  /** A grant for which `stale` is false, refreshed if needed; or why there is none. */
  async ensure(accountId: string, stale: (grant: Grant) => boolean): Promise<GrantResult> {
    // Real elapsed time, not the injectable clock: this bounds how long a caller waits.
    const deadline = performance.now() + this.#o.lockWaitMs;
    for (;;) {
      const settled = settle(await this.#o.store.get(accountId), stale);
      if (settled) return settled;
      const lease = await this.#o.lock.tryAcquire(accountId);
      if (lease) {
        try {
          return await this.#refreshLocked(accountId, stale);
        } finally {
          await lease.release();
        }
      }
      if (performance.now() >= deadline) {
        throw new RelayError('TOKEN_REFRESH_FAILED', 'timed out waiting for another refresh of the grant', {
          retryable: true,
        });
      }
      await sleep(this.#o.pollMs);
    }
  }

  async #refreshLocked(accountId: string, stale: (grant: Grant) => boolean): Promise<GrantResult> {
    let grant = await this.#o.store.get(accountId);
    for (let attempt = 1; ; attempt++) {
      const settled = settle(grant, stale);
      if (settled || !grant) return settled ?? missing;
      const since = grant.refreshPendingSince;
      if (since !== null && this.#o.now() - since > this.#o.reuseWindowMs) {
        return this.#markReauth(grant, 'a refresh with an unknown outcome is older than the reuse window');
      }
      // Persisted before sending: if this process dies mid-request, the next one knows the token
      // may already have rotated and how long it may still be reused.
      const marked = await this.#o.store.update(grant, { refreshPendingSince: since ?? this.#o.now() });
      if (!marked) {
        grant = await this.#o.store.get(accountId);
        continue;
      }
      const outcome = await this.#o.endpoint.refresh(marked.refreshToken);
      if (outcome.kind !== 'unknown') return this.#apply(marked, since, outcome, stale);
      this.#o.log.warn({ accountId, attempt, reason: outcome.reason }, 'token refresh outcome unknown');
      if (attempt >= this.#o.attempts) throw refreshFailed(`outcome unknown (${outcome.reason})`);
      grant = marked;
    }
  }

  async #apply(
    grant: Grant,
    pendingBefore: number | null,
    outcome: Exclude<RefreshOutcome, { kind: 'unknown' }>,
    stale: (grant: Grant) => boolean,
  ): Promise<GrantResult> {
    switch (outcome.kind) {
      case 'rotated':
        return this.#saveRotation(grant, outcome.pair, stale);
      case 'revoked':
        return this.#markReauth(grant, `token endpoint answered ${outcome.error}`);
      case 'refused':
      case 'not_sent': {
        // The token was not consumed: the pending mark goes back to what it was.
        await this.#o.store.update(grant, { refreshPendingSince: pendingBefore });
        const why =
          outcome.kind === 'refused' ? `refused (${outcome.error})` : `not sent (${outcome.reason})`;
        throw refreshFailed(why);
      }
    }
  }

  async #saveRotation(
    grant: Grant,
    pair: Extract<RefreshOutcome, { kind: 'rotated' }>['pair'],
    stale: (grant: Grant) => boolean,
  ): Promise<GrantResult> {
    const saved = await this.#o.store.update(grant, {
      ...pair,
      scopes: pair.scopes.length > 0 ? pair.scopes : grant.scopes,
      refreshedAt: this.#o.now(),
      refreshPendingSince: null,
      rotations: grant.rotations + 1,
    });
    if (saved) {
      this.#o.log.info({ accountId: grant.accountId, rotations: saved.rotations }, 'access token refreshed');
      return { kind: 'ok', grant: saved };
    }
    // Only a new consent (or a holder whose lock expired) writes while we hold the lock; theirs wins.
    const settled = settle(await this.#o.store.get(grant.accountId), stale);
    if (settled) return settled;
    throw new RelayError('STORE_CONFLICT', 'the grant changed while its refresh was saved', {
      retryable: true,
    });
  }

  async #markReauth(grant: Grant, reason: string): Promise<GrantResult> {
    const saved = await this.#o.store.update(grant, {
      status: 'reauth_required',
      reauthReason: reason,
      refreshPendingSince: null,
    });
    if (!saved) {
      const current = await this.#o.store.get(grant.accountId);
      return settle(current, () => false) ?? missing;
    }
    this.#o.log.warn({ accountId: grant.accountId, reason }, 'grant needs reauthorization');
    return { kind: 'reauth', reason, marked: true };
  }
}

const missing: GrantResult = { kind: 'reauth', reason: 'no grant stored', marked: false };

function settle(grant: Grant | null, stale: (grant: Grant) => boolean): GrantResult | null {
  if (!grant) return missing;
  if (grant.status !== 'active') {
    return { kind: 'reauth', reason: grant.reauthReason ?? 'reauthorization required', marked: false };
  }
  return stale(grant) ? null : { kind: 'ok', grant };
}

function refreshFailed(why: string): RelayError {
  return new RelayError('TOKEN_REFRESH_FAILED', `token refresh failed: ${why}`, { retryable: true });
}

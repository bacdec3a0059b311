import type { TokenPair } from '../atlassian/oauth/token-response.ts';

/**
 * An Atlassian grant: what one account's consent gave the app. Grants are per account (an
 * account-level grant reaches every site that account consented to); connections reference them.
 */
export type GrantStatus = 'active' | 'reauth_required';

export interface Grant extends TokenPair {
  readonly accountId: string;
  readonly status: GrantStatus;
  /** Why the grant needs reauthorization (no secret in it); null while active. */
  readonly reauthReason: string | null;
  /** Epoch ms of the consent that created this token family. */
  readonly createdAt: number;
  /** Epoch ms of the last successful rotation (or the consent): the idle clock of the 90-day expiry. */
  readonly refreshedAt: number;
  /**
   * Epoch ms when the stored refresh token was first sent without a known outcome (timeout, reset,
   * 5xx); null when no such request is open. It may be sent again only inside the reuse window.
   */
  readonly refreshPendingSince: number | null;
  /** Rotations since the consent. */
  readonly rotations: number;
  /** Id of the key that sealed the stored tokens. */
  readonly keyId: string;
  /** Write counter: updates are compare-and-set on it, so two writers never overwrite each other. */
  readonly rev: number;
}

/** The fields an update may change; tokens are re-sealed when present. */
export type GrantPatch = Partial<
  Pick<
    Grant,
    | 'accessToken'
    | 'refreshToken'
    | 'expiresAt'
    | 'scopes'
    | 'status'
    | 'reauthReason'
    | 'refreshedAt'
    | 'refreshPendingSince'
    | 'rotations'
  >
>;

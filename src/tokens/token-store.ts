import type { TokenPair } from '../atlassian/oauth/token-response.ts';
import type { Grant, GrantPatch } from './grant.ts';

/** Where grants live, sealed at rest. Writes after the consent are compare-and-set on `rev`. */
export interface TokenStore {
  get(accountId: string): Promise<Grant | null>;
  /** A consent: replaces the account's grant with a fresh, active token family. */
  putFromConsent(accountId: string, pair: TokenPair, now: number): Promise<Grant>;
  /** Applies `patch` if the stored grant is still at `expected.rev`; null when someone else wrote first. */
  update(expected: Grant, patch: GrantPatch): Promise<Grant | null>;
  /** Account ids of active grants not rotated since `refreshedBefore` (epoch ms), oldest first. */
  listIdle(refreshedBefore: number, limit: number): Promise<string[]>;
  /** Id of the key that seals what is written now (the first of TOKEN_ENCRYPTION_KEY). */
  readonly sealingKeyId: string;
  /** Every grant's sealed tokens, active or not, a page at a time: start at '0', done when it returns '0'. */
  sealedGrants(cursor: string): Promise<{ readonly cursor: string; readonly grants: readonly SealedGrant[] }>;
  /**
   * Re-seals a grant's tokens with the sealing key if they are still stored as `sealed`; false when
   * they changed meanwhile (a refresh or a consent wrote, itself with the sealing key).
   */
  reseal(grant: SealedGrant): Promise<boolean>;
}

/** A grant's tokens as stored: sealed, with the id of the key that sealed them inside. */
export interface SealedGrant {
  readonly accountId: string;
  readonly sealed: string;
}

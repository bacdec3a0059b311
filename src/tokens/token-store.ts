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
}

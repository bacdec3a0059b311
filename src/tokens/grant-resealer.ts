import { isRelayError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { sealedKeyId } from './token-cipher.ts';
import type { SealedGrant, TokenStore } from './token-store.ts';

export interface ResealReport {
  /** Grants found sealed with an older key and re-sealed with the first one. */
  readonly resealed: number;
  /** Grants already sealed with the first key. */
  readonly current: number;
  /** Grants written meanwhile (a refresh or consent seals with the first key itself). */
  readonly changed: number;
  /** Grants sealed with a key TOKEN_ENCRYPTION_KEY no longer holds, or tampered with. */
  readonly unreadable: number;
}

/**
 * Maintenance after a key rotation: every grant sealed with a key other than the first of
 * TOKEN_ENCRYPTION_KEY is re-sealed with the first, so the old key can be dropped from the list.
 * Each grant is one compare-and-set on its stored ciphertext: a refresh or consent that wrote in
 * between wins, and the grant is counted as `changed`. Failures are counted, not thrown: one
 * unreadable grant must not stop the sweep.
 */
export async function resealGrants(store: TokenStore, log: Logger): Promise<ResealReport> {
  const report = { resealed: 0, current: 0, changed: 0, unreadable: 0 };
  let cursor = '0';
  do {
    const page = await store.sealedGrants(cursor);
    cursor = page.cursor;
    for (const grant of page.grants) report[await resealOne(store, grant, log)]++;
  } while (cursor !== '0');
  return report;
}

async function resealOne(store: TokenStore, grant: SealedGrant, log: Logger): Promise<keyof ResealReport> {
  if (sealedKeyId(grant.sealed) === store.sealingKeyId) return 'current';
  try {
    return (await store.reseal(grant)) ? 'resealed' : 'changed';
  } catch (err) {
    if (!isRelayError(err) || err.code !== 'TOKEN_UNREADABLE') throw err;
    log.warn({ err, accountId: grant.accountId }, 'grant cannot be re-sealed: its key is not configured');
    return 'unreadable';
  }
}

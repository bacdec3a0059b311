import { entityRef, type JiraChange } from '../../connectors/jira-change.ts';
import { RelayError } from '../errors.ts';

/**
 * A change whose version (Jira's `updated`) is further ahead of now than clocks drift. Processed, it
 * would become the entity's last version and every real update after it would be dropped as
 * stale, so it is refused before it touches any state, and never retried: its job fails at once and
 * its dead letter's message starts with `future_version`.
 */
class FutureVersionError extends RelayError {
  constructor(change: JiraChange, nowMs: number, skewMs: number) {
    const { kind, id } = entityRef(change);
    super(
      'FUTURE_VERSION',
      `future_version: ${kind} ${id} of ${change.site.host} has version ${iso(change.version)}, more than ` +
        `${Math.round(skewMs / 1000)} s ahead of ${iso(nowMs)}`,
      { retryable: false },
    );
    this.name = 'FutureVersionError';
  }
}

/**
 * Throws FutureVersionError for a change too far ahead of `nowMs`. Deletions are exempt: they are
 * final whatever their version, and dropping one would lose a tombstone.
 */
export function refuseFutureVersion(change: JiraChange, nowMs: number, skewMs: number | undefined): void {
  if (skewMs === undefined || change.kind === 'deleted') return;
  if (change.version > nowMs + skewMs) throw new FutureVersionError(change, nowMs, skewMs);
}

function iso(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : String(ms);
}

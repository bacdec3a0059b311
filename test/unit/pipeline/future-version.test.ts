import { describe, expect, it } from 'vitest';
import { isRelayError } from '../../../src/errors.ts';
import { refuseFutureVersion } from '../../../src/pipeline/future-version.ts';
import { commentChange, issueChange } from '../../helpers/changes.ts';

const now = Date.parse('2024-03-01T12:00:00Z');
const skewMs = 300_000;

describe('refuseFutureVersion', () => {
  it('lets a version through up to the skew ahead of now', () => {
    expect(() => refuseFutureVersion(issueChange({ version: now + skewMs }), now, skewMs)).not.toThrow();
    expect(() => refuseFutureVersion(commentChange({ version: now - 1 }), now, skewMs)).not.toThrow();
  });

  it('refuses a version further ahead, for good and with the reason first in its message', () => {
    let refused: unknown;
    try {
      refuseFutureVersion(issueChange({ version: now + skewMs + 1 }), now, skewMs);
    } catch (err) {
      refused = err;
    }
    expect(isRelayError(refused) && refused.retryable).toBe(false);
    expect((refused as Error).message).toMatch(/^future_version: issue 10042 of acme\.atlassian\.net/);
  });

  it('never refuses a deletion (final whatever its version), nor anything without a configured skew', () => {
    const far = now + 365 * 86_400_000;
    expect(() =>
      refuseFutureVersion(issueChange({ kind: 'deleted', version: far }), now, skewMs),
    ).not.toThrow();
    expect(() => refuseFutureVersion(issueChange({ version: far }), now, undefined)).not.toThrow();
  });
});

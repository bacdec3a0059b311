import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * What proves a caller is an operator: the ADMIN_TOKEN itself (bearer header, login form) or a
 * session value the login form handed out. A session value is `v1.<expiry>.<mac>`: the MAC key is
 * derived from the token, so the cookie never carries the token, cannot be forged without it, and
 * every session ends when the token is replaced. Nothing is stored, so any api process can check it.
 */
export interface AdminCredentials {
  /** Constant-time comparison with ADMIN_TOKEN, whatever the lengths. */
  matchesToken(presented: string): boolean;
  /** A session value valid until `now + lifetime`. */
  issueSession(now: number): string;
  /** True for an unexpired session value this token issued. */
  verifySession(value: string, now: number): boolean;
}

const sessionVersion = 'v1';
const sessionShape = /^v1\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/;

export function createAdminCredentials(adminToken: string, sessionLifetimeMs: number): AdminCredentials {
  const tokenDigest = sha256(adminToken);
  const sessionKey = createHmac('sha256', adminToken).update('jira-relay admin session').digest();
  const mac = (payload: string) => createHmac('sha256', sessionKey).update(payload).digest('base64url');

  return {
    matchesToken(presented) {
      // Digests have equal lengths, so timingSafeEqual never throws and the length does not leak.
      return timingSafeEqual(sha256(presented), tokenDigest);
    },
    issueSession(now) {
      const payload = `${sessionVersion}.${Math.ceil((now + sessionLifetimeMs) / 1000)}`;
      return `${payload}.${mac(payload)}`;
    },
    verifySession(value, now) {
      const match = sessionShape.exec(value);
      if (!match?.[1] || !match[2]) return false;
      const expected = Buffer.from(mac(`${sessionVersion}.${match[1]}`));
      const given = Buffer.from(match[2]);
      return timingSafeEqual(given, expected) && Number(match[1]) * 1000 > now;
    },
  };
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

import { randomBytes } from 'node:crypto';

/** The smallest environment that loads: every required variable with a valid value. */
export function validEnv(
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    PUBLIC_URL: 'http://127.0.0.1:3000',
    ATLASSIAN_CLIENT_ID: 'sim-client-id',
    ATLASSIAN_CLIENT_SECRET: 'sim-client-secret',
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ADMIN_TOKEN: 'admin-token-0123456789',
    ...overrides,
  };
}

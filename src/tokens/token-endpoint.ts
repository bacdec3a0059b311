import type { RefreshOutcome } from '../atlassian/oauth/token-response.ts';

/** The token endpoint as the token manager needs it. */
export interface TokenEndpoint {
  refresh(refreshToken: string): Promise<RefreshOutcome>;
}

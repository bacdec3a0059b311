/** What Atlassian's token endpoint answers, as the OAuth client hands it on. */

/** What a token request returns, with the expiry made absolute. */
export interface TokenPair {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Epoch ms when the access token expires. */
  readonly expiresAt: number;
  readonly scopes: readonly string[];
}

/**
 * How a refresh request ended. Only `unknown` may have rotated the token without us seeing the new
 * one: the same refresh token may then be sent again, but only inside Atlassian's reuse window.
 */
export type RefreshOutcome =
  | { readonly kind: 'rotated'; readonly pair: TokenPair }
  /** `invalid_grant` / `unauthorized_client`: the grant is gone until the user consents again. */
  | { readonly kind: 'revoked'; readonly error: string; readonly description: string }
  /** Refused without consuming the token (429, other 4xx): safe to retry later with the same token. */
  | { readonly kind: 'refused'; readonly status: number; readonly error: string }
  /** Never reached the server (connection refused, DNS): the token was not consumed. */
  | { readonly kind: 'not_sent'; readonly reason: string }
  /** Sent, but no answer we can trust (timeout, reset, 5xx): the token may have rotated. */
  | { readonly kind: 'unknown'; readonly reason: string };

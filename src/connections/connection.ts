/**
 * A connection is one Jira site (keyed by its cloud id). Atlassian grants belong to accounts, so a
 * connection lists the accounts whose grants reach the site: the first healthy one is used, the
 * others are fallbacks when it needs reauthorization.
 */
export const connectionStatuses = ['active', 'reauth_required', 'paused', 'disconnected'] as const;
export type ConnectionStatus = (typeof connectionStatuses)[number];

export interface Connection {
  readonly id: string;
  readonly cloudId: string;
  /** `https://acme.atlassian.net` as accessible-resources gives it. */
  readonly siteUrl: string;
  /** `acme.atlassian.net`: webhook intake routes deliveries by it. */
  readonly siteHost: string;
  readonly name: string;
  /** Scopes the site's resource granted (from accessible-resources). */
  readonly scopes: readonly string[];
  /** Accounts whose grants reach this site, in order of preference. */
  readonly accountIds: readonly string[];
  readonly status: ConnectionStatus;
  /** Projects to sync; null means every project the grant can see. */
  readonly projectKeys: readonly string[] | null;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A Jira site as one account's consent reported it (accessible-resources). */
export interface ConsentedSite {
  readonly cloudId: string;
  readonly url: string;
  readonly name: string;
  readonly scopes: readonly string[];
}

export function siteHostOf(siteUrl: string): string {
  return new URL(siteUrl).host.toLowerCase();
}

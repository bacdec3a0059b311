import type { Connection, ConnectionStatus, ConsentedSite } from './connection.ts';

/**
 * Connection records. Admin API and webhook intake read them; the OAuth callback and the
 * accessible-resources refresh write them.
 */
export interface ConnectionStore {
  list(): Promise<Connection[]>;
  get(id: string): Promise<Connection | null>;
  findBySiteHost(host: string): Promise<Connection | null>;
  /** Connections that list this account's grant. */
  listByAccount(accountId: string): Promise<Connection[]>;
  /**
   * Records that `accountId` consented to `site`: creates the site's connection, or adds the account
   * to it (a repeated consent changes nothing but the site details). A connection that needed
   * reauthorization or was disconnected becomes active again; a paused one stays paused.
   */
  upsertFromConsent(
    site: ConsentedSite,
    accountId: string,
  ): Promise<{ connection: Connection; created: boolean }>;
  /**
   * Takes the site's current name, url and scopes (accessible-resources after a rename or a scope
   * change); the site-host index follows the url. null when there is no such connection.
   */
  updateSiteDetails(id: string, site: ConsentedSite): Promise<Connection | null>;
  /**
   * The account's grant no longer reaches the site: the account leaves the connection. With none
   * left an active connection becomes reauth_required; nothing is deleted. null when there is none.
   */
  removeAccount(id: string, accountId: string): Promise<Connection | null>;
  /** null when there is no such connection. */
  setStatus(id: string, status: ConnectionStatus): Promise<Connection | null>;
  /** null keys: sync every project. */
  setProjectKeys(id: string, projectKeys: readonly string[] | null): Promise<Connection | null>;
}

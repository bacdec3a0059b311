import type { AccessibleResource } from '../atlassian/oauth/oauth-client.ts';
import type { Connection, ConsentedSite } from '../connections/connection.ts';
import type { ConnectionStore } from '../connections/connection-store.ts';
import { jiraSitesOf, partitionAllowed } from '../connections/jira-sites.ts';
import type { Logger } from '../logger.ts';
import { diffSites } from './diff-sites.ts';
import type { AccountToken } from './token-manager.ts';

export interface ResourcesRefreshDeps {
  readonly connections: Pick<
    ConnectionStore,
    'list' | 'listByAccount' | 'updateSiteDetails' | 'removeAccount' | 'upsertFromConsent'
  >;
  readonly tokens: { getAccountToken(accountId: string): Promise<AccountToken> };
  readonly oauth: { accessibleResources(accessToken: string): Promise<AccessibleResource[]> };
  /** What the OAuth callback does after a consent (webhook registration, first sync), for new sites. */
  readonly onConnected: (connections: Connection[]) => Promise<void>;
  /** OAUTH_ALLOWED_SITES: a newly listed site outside it is not connected (empty: any site). */
  readonly allowedSites: readonly string[];
  readonly log: Logger;
}

/** What one refresh did; the maintenance job's result. */
export interface ResourcesRefreshReport {
  readonly accounts: number;
  /** Connections whose name, url or scopes changed. */
  readonly updated: number;
  /** Accounts taken off a connection whose site their grant no longer lists. */
  readonly removed: number;
  /** Connections created, or joined by the account, for sites the grant lists newly. */
  readonly added: number;
  /** Accounts whose grant needs reauthorization: nothing of theirs is changed. */
  readonly skipped: number;
  /** Accounts whose accessible-resources could not be read (Atlassian down): retried next run. */
  readonly failed: number;
}

type Counts = { -readonly [K in keyof ResourcesRefreshReport]: ResourcesRefreshReport[K] };

/**
 * Grants change after consent: an admin removes the app from a site, a site is renamed (its url and
 * so the host webhooks are routed by), scopes change, the account gains a site. For every account
 * on an active connection this reads accessible-resources with that account's own token and brings
 * its connections in line. One account's failure never stops the others.
 */
export async function refreshAccessibleResources(
  deps: ResourcesRefreshDeps,
): Promise<ResourcesRefreshReport> {
  const accounts = await accountsOnActiveConnections(deps.connections);
  const counts: Counts = {
    accounts: accounts.length,
    updated: 0,
    removed: 0,
    added: 0,
    skipped: 0,
    failed: 0,
  };
  for (const accountId of accounts) {
    try {
      await refreshAccount(deps, accountId, counts);
    } catch (err) {
      counts.failed++;
      deps.log.warn({ err, accountId }, 'accessible-resources of an account could not be refreshed');
    }
  }
  return counts;
}

async function refreshAccount(deps: ResourcesRefreshDeps, accountId: string, counts: Counts): Promise<void> {
  const token = await deps.tokens.getAccountToken(accountId);
  if (token.kind === 'reauth') {
    counts.skipped++;
    deps.log.info(
      { accountId, reason: token.reason },
      'grant needs reauthorization: its sites left as they are',
    );
    return;
  }
  const listed = jiraSitesOf(await deps.oauth.accessibleResources(token.token));
  const diff = diffSites(await deps.connections.listByAccount(accountId), listed);
  for (const { connection, site } of diff.changed) {
    await deps.connections.updateSiteDetails(connection.id, site);
    counts.updated++;
    deps.log.info(
      { accountId, connectionId: connection.id, from: connection.siteUrl, to: site.url, name: site.name },
      'site details changed at Atlassian',
    );
  }
  for (const connection of diff.removed) {
    const after = await deps.connections.removeAccount(connection.id, accountId);
    counts.removed++;
    deps.log.info(
      { accountId, connectionId: connection.id, site: connection.siteHost, status: after?.status },
      'grant no longer reaches the site: account removed from the connection',
    );
  }
  const { allowed, refused } = partitionAllowed(diff.added, deps.allowedSites);
  if (refused.length > 0) {
    deps.log.info(
      { accountId, sites: refused.map((site) => site.url) },
      'grant reaches sites outside OAUTH_ALLOWED_SITES: not connected',
    );
  }
  await connectAddedSites(deps, accountId, allowed, counts);
}

/** New sites are connected as a consent connects them, follow-up (webhooks, first sync) included. */
async function connectAddedSites(
  deps: ResourcesRefreshDeps,
  accountId: string,
  sites: readonly ConsentedSite[],
  counts: Counts,
): Promise<void> {
  if (sites.length === 0) return;
  const added: Connection[] = [];
  for (const site of sites) {
    const { connection, created } = await deps.connections.upsertFromConsent(site, accountId);
    added.push(connection);
    counts.added++;
    deps.log.info(
      { accountId, connectionId: connection.id, site: connection.siteHost, created },
      'grant reaches a new site',
    );
  }
  await deps.onConnected(added);
}

/** Accounts listed by an active connection, each once. */
async function accountsOnActiveConnections(connections: Pick<ConnectionStore, 'list'>): Promise<string[]> {
  const active = (await connections.list()).filter((c) => c.status === 'active');
  return [...new Set(active.flatMap((c) => c.accountIds))];
}

import type { Connection, ConsentedSite } from '../connections/connection.ts';

/** How one account's connections differ from the Jira sites its grant lists now. */
export interface SiteDiff {
  /** Sites still listed whose name, url or scopes changed (a rename moves the url and host). */
  readonly changed: readonly { readonly connection: Connection; readonly site: ConsentedSite }[];
  /** Connections of sites the grant no longer lists (app removed, access taken away). */
  readonly removed: readonly Connection[];
  /** Listed sites no connection of this account covers (the account gained a site). */
  readonly added: readonly ConsentedSite[];
}

/**
 * Compares by cloud id, which survives a rename. `current` are the connections that list the
 * account; `listed` the Jira sites of its accessible-resources. Pure: the caller does the writes.
 */
export function diffSites(current: readonly Connection[], listed: readonly ConsentedSite[]): SiteDiff {
  const listedById = new Map<string, ConsentedSite>();
  for (const site of listed) if (!listedById.has(site.cloudId)) listedById.set(site.cloudId, site);
  const currentIds = new Set(current.map((c) => c.cloudId));
  const changed: { connection: Connection; site: ConsentedSite }[] = [];
  const removed: Connection[] = [];
  for (const connection of current) {
    const site = listedById.get(connection.cloudId);
    if (!site) removed.push(connection);
    else if (detailsChanged(connection, site)) changed.push({ connection, site });
  }
  const added = [...listedById.values()].filter((site) => !currentIds.has(site.cloudId));
  return { changed, removed, added };
}

function detailsChanged(connection: Connection, site: ConsentedSite): boolean {
  return (
    connection.name !== site.name ||
    connection.siteUrl !== site.url ||
    !sameScopes(connection.scopes, site.scopes)
  );
}

/** Scopes are a set: Atlassian may list them in another order without anything having changed. */
function sameScopes(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((scope) => right.has(scope));
}

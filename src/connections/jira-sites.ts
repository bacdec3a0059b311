import type { AccessibleResource } from '../atlassian/oauth/oauth-client.ts';
import { type ConsentedSite, siteHostOf } from './connection.ts';

/**
 * The Jira sites among a grant's accessible-resources, as connections record them. The list also
 * holds other products' containers (Confluence on the same site may share the cloud id), so the
 * product is told by the scopes: Jira resources carry Jira scopes.
 */
export function jiraSitesOf(resources: readonly AccessibleResource[]): ConsentedSite[] {
  return resources.filter(isJiraSite).map(toConsentedSite);
}

/**
 * The sites this relay may connect (OAUTH_ALLOWED_SITES; an empty list allows any): `/oauth/start`
 * is open to whoever reaches it, so without a list anyone with a Jira site could connect it and
 * spend the app's points budget.
 */
export function partitionAllowed(
  sites: readonly ConsentedSite[],
  allowedHosts: readonly string[],
): { allowed: ConsentedSite[]; refused: ConsentedSite[] } {
  if (allowedHosts.length === 0) return { allowed: [...sites], refused: [] };
  const allowed = new Set(allowedHosts);
  return {
    allowed: sites.filter((site) => allowed.has(siteHostOf(site.url))),
    refused: sites.filter((site) => !allowed.has(siteHostOf(site.url))),
  };
}

function isJiraSite(resource: AccessibleResource): boolean {
  return resource.scopes.some((scope) => scope.includes('jira'));
}

function toConsentedSite(resource: AccessibleResource): ConsentedSite {
  return { cloudId: resource.id, url: resource.url, name: resource.name, scopes: resource.scopes };
}

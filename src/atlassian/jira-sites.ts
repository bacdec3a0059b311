import type { ConsentedSite } from '../connections/connection.ts';
import type { AccessibleResource } from './oauth-client.ts';

/**
 * The Jira sites among a grant's accessible-resources, as connections record them. The list also
 * holds other products' containers (Confluence on the same site may share the cloud id), so the
 * product is told by the scopes: Jira resources carry Jira scopes.
 */
export function jiraSitesOf(resources: readonly AccessibleResource[]): ConsentedSite[] {
  return resources.filter(isJiraSite).map(toConsentedSite);
}

function isJiraSite(resource: AccessibleResource): boolean {
  return resource.scopes.some((scope) => scope.includes('jira'));
}

function toConsentedSite(resource: AccessibleResource): ConsentedSite {
  return { cloudId: resource.id, url: resource.url, name: resource.name, scopes: resource.scopes };
}

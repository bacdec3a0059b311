import { describe, expect, it } from 'vitest';
import type { AccessibleResource } from '../../../src/atlassian/oauth/oauth-client.ts';
import { jiraSitesOf } from '../../../src/connections/jira-sites.ts';

/** accessible-resources as Atlassian lists them: Jira sites and other products' containers mixed. */
const resources: AccessibleResource[] = [
  {
    id: 'cloud-jira-1',
    name: 'acme',
    url: 'https://acme.atlassian.net',
    scopes: ['read:jira-work', 'write:jira-work', 'manage:jira-webhook', 'offline_access'],
  },
  // Confluence on the same site: same cloud id and URL, but only Confluence scopes.
  {
    id: 'cloud-jira-1',
    name: 'acme',
    url: 'https://acme.atlassian.net',
    scopes: ['read:confluence-content.all', 'offline_access'],
  },
  // A resource the grant holds no scopes for at all.
  { id: 'cloud-empty', name: 'empty', url: 'https://empty.atlassian.net', scopes: [] },
  {
    id: 'cloud-jira-2',
    name: 'Beta Corp',
    url: 'https://beta.atlassian.net',
    scopes: ['read:jira-user'],
  },
  {
    id: 'cloud-bitbucket',
    name: 'repos',
    url: 'https://bitbucket.example',
    scopes: ['read:repository:bitbucket', 'offline_access'],
  },
];

describe('the Jira sites among accessible-resources', () => {
  it('keeps resources with a Jira scope and skips those without, in the order listed', () => {
    expect(jiraSitesOf(resources)).toEqual([
      {
        cloudId: 'cloud-jira-1',
        name: 'acme',
        url: 'https://acme.atlassian.net',
        scopes: ['read:jira-work', 'write:jira-work', 'manage:jira-webhook', 'offline_access'],
      },
      {
        cloudId: 'cloud-jira-2',
        name: 'Beta Corp',
        url: 'https://beta.atlassian.net',
        scopes: ['read:jira-user'],
      },
    ]);
  });

  it('gives no site when no resource carries a Jira scope', () => {
    const [, confluence, empty, , bitbucket] = resources as [
      AccessibleResource,
      AccessibleResource,
      AccessibleResource,
      AccessibleResource,
      AccessibleResource,
    ];
    expect(jiraSitesOf([confluence, empty, bitbucket])).toEqual([]);
    expect(jiraSitesOf([{ ...confluence, scopes: ['offline_access'] }])).toEqual([]);
    expect(jiraSitesOf([])).toEqual([]);
  });
});

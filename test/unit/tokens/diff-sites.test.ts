import { describe, expect, it } from 'vitest';
import type { Connection, ConsentedSite } from '../../../src/connections/connection.ts';
import { diffSites } from '../../../src/tokens/diff-sites.ts';

const scopes = ['read:jira-work', 'write:jira-work'];

function site(cloudId: string, overrides: Partial<ConsentedSite> = {}): ConsentedSite {
  return { cloudId, url: `https://${cloudId}.atlassian.net`, name: cloudId, scopes, ...overrides };
}

function connection(listed: ConsentedSite, overrides: Partial<Connection> = {}): Connection {
  return {
    id: `conn-${listed.cloudId}`,
    cloudId: listed.cloudId,
    siteUrl: listed.url,
    siteHost: new URL(listed.url).host,
    name: listed.name,
    scopes: listed.scopes,
    accountIds: ['acc-1'],
    status: 'active',
    projectKeys: null,
    createdAt: 1,
    updatedAt: 1,
    ...overrides,
  };
}

describe('diffSites', () => {
  it('finds nothing when the listed sites match, scopes in any order', () => {
    const a = site('a');
    const b = site('b');
    const diff = diffSites([connection(a), connection(b)], [b, { ...a, scopes: [...scopes].reverse() }]);
    expect(diff).toEqual({ changed: [], removed: [], added: [] });
  });

  it('reports a rename, a new name or new scopes as a change of the same connection (matched by cloud id)', () => {
    const renamed = connection(site('a'));
    const retitled = connection(site('b'));
    const rescoped = connection(site('c'));
    const listed = [
      site('a', { url: 'https://a-new.atlassian.net' }),
      site('b', { name: 'B Corp' }),
      site('c', { scopes: ['read:jira-work'] }),
    ];
    const diff = diffSites([renamed, retitled, rescoped], listed);
    expect(diff.changed.map((c) => [c.connection.id, c.site])).toEqual([
      ['conn-a', listed[0]],
      ['conn-b', listed[1]],
      ['conn-c', listed[2]],
    ]);
    expect(diff.removed).toEqual([]);
    expect(diff.added).toEqual([]);
  });

  it('reports connections whose site is no longer listed and listed sites without a connection', () => {
    const gone = connection(site('gone'));
    const kept = connection(site('kept'));
    const fresh = site('fresh');
    const diff = diffSites([gone, kept], [site('kept'), fresh]);
    expect(diff).toEqual({ changed: [], removed: [gone], added: [fresh] });
  });

  it('counts a cloud id listed twice once', () => {
    const twice = site('twice');
    expect(diffSites([], [twice, { ...twice, name: 'other' }]).added).toEqual([twice]);
  });

  it('removes everything when the grant lists no site', () => {
    const a = connection(site('a'));
    expect(diffSites([a], [])).toEqual({ changed: [], removed: [a], added: [] });
  });
});

import { describe, expect, it } from 'vitest';
import { siteHostOf } from '../../../src/webhooks/webhook-site.ts';

/** What parsing the whole link gives: the rule siteHostOf must keep while it parses less. */
function hostOfWholeLink(link: string): string | undefined {
  try {
    const url = new URL(link);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.host.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

const links = [
  'https://acme.atlassian.net/rest/api/2/issue/10002',
  'https://acme.atlassian.net/rest/api/2/10357',
  'https://ACME.atlassian.net:443/rest/api/2/issue/1',
  'https://acme.atlassian.net:8443/x',
  'http://jira.internal:8080/rest/api/2/issue/1',
  'https://acme.atlassian.net',
  'https://acme.atlassian.net?x=https://other.example/',
  'https://acme.atlassian.net#frag://other.example/',
  'https://acme.atlassian.net\\rest\\api',
  'https://user:pass@acme.atlassian.net/rest',
  'https:/acme.atlassian.net/rest',
  'https:acme.atlassian.net/rest://other.example/',
  'https:/x/y://other.example/z',
  'ht\ttps://acme.atlassian.net/rest',
  ' https://acme.atlassian.net/rest ',
  'https://ex%61mple.atlassian.net/rest',
  'https://xn--bcher-kva.example/rest',
  'https://bücher.example/rest',
  'https://[::1]:8443/rest',
  'ftp://acme.atlassian.net/rest',
  'a/b://acme.atlassian.net/rest',
  'https://',
  'https:///rest',
  'https://acme atlassian.net/rest',
  'not a url',
  '',
];

describe('siteHostOf', () => {
  it.each(links)('reads the same host from %j as the URL parser reads from the whole link', (link) => {
    // Twice: the second read comes from the cache of origins.
    expect(siteHostOf({ issue: { self: link } })).toBe(hostOfWholeLink(link));
    expect(siteHostOf({ issue: { self: link } })).toBe(hostOfWholeLink(link));
  });

  it('agrees with the URL parser on 5,000 random links built from the characters that end or start a host', () => {
    const pieces = [
      'https:',
      'http:',
      '//',
      '/',
      '\\',
      ':',
      '?',
      '#',
      '@',
      '.',
      'a',
      'B',
      '1',
      '[',
      ']',
      ' ',
      '%41',
      '://',
    ];
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed;
    };
    for (let i = 0; i < 5000; i++) {
      const link = Array.from({ length: 1 + (next() % 12) }, () => pieces[next() % pieces.length]).join('');
      expect([link, siteHostOf({ issue: { self: link } })]).toEqual([link, hostOfWholeLink(link)]);
    }
  });

  it('takes the first entity with a usable link, and none without one', () => {
    expect(siteHostOf({ issue: { self: 'not a url' }, comment: { self: 'https://b.atlassian.net/c' } })).toBe(
      'b.atlassian.net',
    );
    expect(siteHostOf({ issue: { self: 42 }, user: {} })).toBeUndefined();
  });

  it('stays right when more sites come than it remembers', () => {
    for (let i = 0; i < 600; i++)
      expect(siteHostOf({ comment: { self: `https://site-${i}.atlassian.net/rest/api/2/comment/1` } })).toBe(
        `site-${i}.atlassian.net`,
      );
  });
});

import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { fromSameOrigin, needsSameOrigin, originOf } from '../../../src/admin/same-origin.ts';

const ours = 'https://relay.example.com';

function request(method: string, headers: Record<string, string>): FastifyRequest {
  return { method, headers } as unknown as FastifyRequest;
}

describe('which admin requests must come from PUBLIC_URL, and whether they do', () => {
  it('checks methods that change things when no Authorization header is sent', () => {
    expect(needsSameOrigin(request('POST', {}))).toBe(true);
    expect(needsSameOrigin(request('PUT', { cookie: 'a=b' }))).toBe(true);
    expect(needsSameOrigin(request('DELETE', {}))).toBe(true);
    // A browser never adds a bearer token by itself; reads change nothing.
    expect(needsSameOrigin(request('POST', { authorization: 'Bearer t' }))).toBe(false);
    for (const method of ['GET', 'HEAD', 'OPTIONS']) expect(needsSameOrigin(request(method, {}))).toBe(false);
  });

  it.each([
    ['its own origin', { origin: ours }, true],
    ['another origin', { origin: 'https://evil.example' }, false],
    ['a sibling subdomain', { origin: 'https://evil.relay.example.com' }, false],
    ['the same host over http', { origin: 'http://relay.example.com' }, false],
    ['another port', { origin: 'https://relay.example.com:8443' }, false],
    ['an opaque origin', { origin: 'null' }, false],
    [
      'a foreign origin with our referer',
      { origin: 'https://evil.example', referer: `${ours}/admin` },
      false,
    ],
    ['no origin, our referer', { referer: `${ours}/admin/queues` }, true],
    ['no origin, a foreign referer', { referer: 'https://evil.example/x' }, false],
    ['no origin, a referer that is no URL', { referer: 'garbage' }, false],
    ['no origin, no referer, a cross-site fetch', { 'sec-fetch-site': 'cross-site' }, false],
    ['no origin, no referer, same-site (a sibling)', { 'sec-fetch-site': 'same-site' }, false],
    ['no sign of a browser at all (curl)', {}, true],
  ])('%s', (_name, headers, expected) => {
    expect(fromSameOrigin(request('POST', headers as Record<string, string>), ours)).toBe(expected);
  });

  it('reads the origin of PUBLIC_URL with its path and default port dropped', () => {
    expect(originOf('https://relay.example.com:443/base/')).toBe(ours);
    expect(originOf('not a url')).toBeUndefined();
  });
});

import type { FastifyRequest } from 'fastify';

/** Methods that change nothing: a cross-site request can read none of their answers. */
const safeMethods: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cross-site request forgery needs a browser that adds credentials by itself: the session cookie
 * (the levers, Bull Board's buttons) or nothing at all (signing in and out with a form). A bearer
 * token is never added by a browser, so requests that carry an Authorization header (the JSON API
 * as scripts call it) need no check, and neither do methods that change nothing.
 */
export function needsSameOrigin(request: FastifyRequest): boolean {
  return !safeMethods.has(request.method) && request.headers.authorization === undefined;
}

/**
 * True when the request comes from a page of `expectedOrigin` (PUBLIC_URL's origin), by its
 * `Origin`, else its `Referer`. A request with neither, and no `Sec-Fetch-Site` either, carries no
 * sign of a browser (every current browser sends `Origin` on such methods), so it cannot be a
 * forgery and is let through, as Go's CrossOriginProtection does; curl and scripts keep working.
 */
export function fromSameOrigin(request: FastifyRequest, expectedOrigin: string): boolean {
  const origin = single(request.headers.origin);
  if (origin !== undefined) return origin === expectedOrigin;
  const referer = single(request.headers.referer);
  if (referer !== undefined) return originOf(referer) === expectedOrigin;
  const fetchSite = single(request.headers['sec-fetch-site']);
  return fetchSite === undefined || fetchSite === 'same-origin';
}

/** `scheme://host[:port]` of a URL, or undefined when it is not one. */
export function originOf(url: string): string | undefined {
  try {
    const { origin } = new URL(url);
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Which Jira site a delivery belongs to: the origin of the `self` links in its body. Comment events
 * may carry a trimmed issue whose `self` lacks the `/issue/` segment (`.../rest/api/2/10357`); only
 * the host matters here, so that quirk is harmless.
 */
export function siteHostOf(body: Readonly<Record<string, unknown>>): string | undefined {
  for (const key of ['issue', 'comment', 'worklog', 'user', 'project', 'attachment', 'version', 'sprint']) {
    const host = hostOf((body[key] as { self?: unknown } | undefined)?.self);
    if (host) return host;
  }
  return undefined;
}

function hostOf(self: unknown): string | undefined {
  if (typeof self !== 'string') return undefined;
  const origin = originText(self);
  if (origin === undefined) return parsedHost(self);
  if (hostsByOrigin.has(origin)) return hostsByOrigin.get(origin);
  const host = parsedHost(origin);
  if (hostsByOrigin.size >= maxCachedOrigins) hostsByOrigin.clear();
  hostsByOrigin.set(origin, host);
  return host;
}

/**
 * Hosts by the `scheme://authority` text of the links they came from. Every delivery of a site
 * starts its links with the same text, so the URL parser runs once per site instead of once per
 * delivery. Bounded, so bodies with ever new links cannot grow it.
 */
const hostsByOrigin = new Map<string, string | undefined>();
const maxCachedOrigins = 256;

/**
 * The text up to the end of the authority, where the URL parser ends the host too: the first `/`,
 * `\`, `?` or `#` after `://` and any further slashes (which the parser skips for http and https).
 * Parsing it gives the same host as parsing the whole link.
 */
function originText(link: string): string | undefined {
  const scheme = link.indexOf('://');
  if (scheme < 0) return undefined;
  let start = scheme + 3;
  while (link[start] === '/' || link[start] === '\\') start++;
  const end = link.slice(start).search(/[/\\?#]/);
  return end < 0 ? link : link.slice(0, start + end);
}

function parsedHost(link: string): string | undefined {
  try {
    const url = new URL(link);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.host.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/** `matchedWebhookIds` of a dynamic-webhook delivery: the second routing key. */
export function matchedWebhookIdsOf(body: Readonly<Record<string, unknown>>): number[] {
  const ids = body.matchedWebhookIds;
  return Array.isArray(ids) ? ids.filter((id): id is number => Number.isInteger(id)) : [];
}

/** The events the relay maps and registers its dynamic webhook for. */
export const webhookEventNames = [
  'jira:issue_created',
  'jira:issue_updated',
  'jira:issue_deleted',
  'comment_created',
  'comment_updated',
  'comment_deleted',
] as const;

/** Anything else is acknowledged and ignored. */
export const handledWebhookEvents: ReadonlySet<string> = new Set(webhookEventNames);

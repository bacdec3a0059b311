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
  try {
    const url = new URL(self);
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

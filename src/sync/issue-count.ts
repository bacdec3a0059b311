import type { JiraClient } from '../atlassian/jira/jira-client.ts';
import { JiraHttpError } from '../atlassian/jira/jira-http-error.ts';
import type { Logger } from '../logger.ts';

/**
 * Jira's estimate of how many issues a bounded JQL matches (`POST search/approximate-count`, one
 * point): the total a pass's progress is measured against. Recent updates may be missing from it,
 * so it is a guide, not a promise; null when Jira refuses to count (the progress then has no ETA).
 */
export async function approximateIssueCount(
  client: JiraClient,
  jql: string,
  log: Pick<Logger, 'debug'>,
): Promise<number | null> {
  const bounded = jql.replace(/\s+ORDER BY .*$/i, '');
  try {
    const body = await client.post<{ count?: unknown }>(
      'search/approximate-count',
      { jql: bounded },
      { idempotent: true, routeClass: 'search', estimatedCost: 1 },
    );
    return typeof body.count === 'number' && Number.isFinite(body.count) ? body.count : null;
  } catch (err) {
    // A budget refusal or a 429 postpones the pass like its first search would; Jira refusing the
    // count itself (an older site, a JQL it will not count) only costs the estimate.
    if (!(err instanceof JiraHttpError) || err.status === 429) throw err;
    log.debug({ err }, 'no approximate issue count; progress has no total');
    return null;
  }
}

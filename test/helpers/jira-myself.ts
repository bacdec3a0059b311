import type { JiraClient } from '../../src/atlassian/jira/jira-client.ts';

/**
 * `GET /myself` through a relay Jira client: the cheapest authenticated call, which tests and the
 * token benchmark use to drive token use and refresh. The relay itself never needs it.
 */
export function myself(client: JiraClient): Promise<{ accountId: string; displayName?: string }> {
  return client.get('myself', undefined, { routeClass: 'myself', estimatedCost: 3 });
}

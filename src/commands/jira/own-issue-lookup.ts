import type { JiraClient } from '../../atlassian/jira/jira-client.ts';
import { searchJql } from '../../atlassian/jira/jira-search.ts';
import { ORIGIN_PROPERTY_KEY, originCommandId } from './write-origin.ts';

/**
 * How far back `createIssue` looks for its own earlier issue. Limits, by design of Jira:
 * - search is eventually consistent (seconds, sometimes minutes): an issue created moments ago may
 *   not be found yet, so a retry after an unknown outcome must wait out that lag first, or it may
 *   create a second issue;
 * - only the newest `pageSize × maxPages` issues created in the project within the window are read:
 *   a busier project, or a retry later than the window, misses it the same way.
 */
export interface OwnIssueLookup {
  /** `created >= -{N}m`; cover the time since the earlier attempt. Default 60. */
  readonly windowMinutes?: number;
  /** Issues per search page; default 50. */
  readonly pageSize?: number;
  /** Pages read at most; default 4. */
  readonly maxPages?: number;
}

/** A JQL string literal: quoted, with `"` and `\` escaped. */
function jqlString(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * The issue an earlier attempt of command `commandId` created in `project`, found by its
 * `jira-relay.origin` property among the project's recently created issues, newest first. 3LO apps
 * cannot use issue properties in JQL, so the property is read from the results (`properties`).
 */
export async function findOwnIssue(
  client: JiraClient,
  project: string,
  commandId: string,
  lookup: OwnIssueLookup = {},
): Promise<{ id: string; key: string } | undefined> {
  const minutes = Math.max(1, Math.ceil(lookup.windowMinutes ?? 60));
  const pages = searchJql(
    client,
    {
      jql: `project = ${jqlString(project)} AND created >= -${minutes}m ORDER BY created DESC`,
      fields: ['created'],
      properties: [ORIGIN_PROPERTY_KEY],
    },
    { pageSize: lookup.pageSize ?? 50, maxPages: lookup.maxPages ?? 4 },
  );
  for await (const page of pages) {
    for (const issue of page.issues) {
      const marker = issue.properties?.[ORIGIN_PROPERTY_KEY];
      if (originCommandId(marker) === commandId) return { id: String(issue.id), key: String(issue.key) };
    }
  }
  return undefined;
}

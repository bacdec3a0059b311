import type { Logger } from '../../logger.ts';
import type { JiraClient } from './jira-client.ts';

/** An issue as REST v3 returns it; `fields` holds what was asked for. */
export interface JiraIssue {
  readonly id: string;
  readonly key: string;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly changelog?: unknown;
  readonly properties?: Readonly<Record<string, unknown>>;
}

export interface SearchQuery {
  /** Must be bounded (`project in (...) AND updated >= ...`): Jira rejects unbounded JQL. */
  readonly jql: string;
  /** Default is `id` only, as in Jira. */
  readonly fields?: readonly string[];
  readonly expand?: string;
  readonly properties?: readonly string[];
  /** Up to 50 issue ids to read after a write; sent on every page. */
  readonly reconcileIssues?: readonly number[];
}

export interface SearchOptions {
  /** JIRA_SEARCH_PAGE_SIZE. */
  readonly pageSize: number;
  /** JIRA_SEARCH_MAX_PAGES: a guard against a server that never stops. */
  readonly maxPages: number;
  readonly log?: Logger;
}

export interface SearchPage {
  readonly issues: readonly JiraIssue[];
  /** 0-based. */
  readonly index: number;
  /** The token of the next page; null on the last one. */
  readonly nextPageToken: string | null;
}

interface SearchResponse {
  readonly issues?: JiraIssue[];
  readonly nextPageToken?: string | null;
}

/**
 * `POST /search/jql` page by page. Follows `nextPageToken` and ignores `isLast` (unreliable,
 * JRACLOUD-95477). Stops when there is no token, on an empty page, on a token seen before, or at
 * the page cap; the last two are logged because they mean the server misbehaved.
 */
export async function* searchJql(
  client: JiraClient,
  query: SearchQuery,
  opts: SearchOptions,
): AsyncGenerator<SearchPage, void, undefined> {
  const seen = new Set<string>();
  let token: string | undefined;
  for (let index = 0; index < opts.maxPages; index++) {
    const page = await client.post<SearchResponse>('search/jql', requestBody(query, opts.pageSize, token), {
      idempotent: true,
      routeClass: 'search',
      estimatedCost: 1 + opts.pageSize,
    });
    const issues = page.issues ?? [];
    if (issues.length === 0) return;
    const next = page.nextPageToken || null;
    yield { issues, index, nextPageToken: next };
    if (next === null) return;
    if (seen.has(next)) {
      opts.log?.warn({ page: index }, 'search/jql repeated a page token; stopping');
      return;
    }
    seen.add(next);
    token = next;
  }
  opts.log?.warn({ maxPages: opts.maxPages }, 'search/jql reached the page cap; stopping');
}

function requestBody(
  query: SearchQuery,
  pageSize: number,
  token: string | undefined,
): Record<string, unknown> {
  return {
    jql: query.jql,
    maxResults: pageSize,
    fields: query.fields ?? ['id'],
    ...(query.expand ? { expand: query.expand } : {}),
    ...(query.properties ? { properties: query.properties } : {}),
    ...(query.reconcileIssues ? { reconcileIssues: query.reconcileIssues } : {}),
    ...(token ? { nextPageToken: token } : {}),
  };
}

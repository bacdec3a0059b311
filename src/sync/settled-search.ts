import type { RedisJiraBudget } from '../atlassian/budget/redis-jira-budget.ts';
import type { JiraClient } from '../atlassian/jira/jira-client.ts';
import {
  type SearchOptions,
  type SearchPage,
  type SearchQuery,
  searchJql,
} from '../atlassian/jira/jira-search.ts';

/**
 * The client's guarded `search/jql` iterator, with each page's charge corrected to what it cost
 * (1 + the issues it held) instead of the estimate (1 + the page size): an incremental poll that
 * finds nothing costs 1 point, not 101. The iterator stops without yielding when a page comes back
 * empty; that request is settled too. `charged` hears each request's points as it is settled, the
 * empty one included, for a pass that counts what it spent.
 */
export async function* settledSearch(
  client: JiraClient,
  budget: Pick<RedisJiraBudget, 'settle'>,
  query: SearchQuery,
  opts: SearchOptions,
  charged: (points: number) => void = () => undefined,
): AsyncGenerator<SearchPage, void, undefined> {
  const request = { site: client.connection.siteHost, estimatedCost: 1 + opts.pageSize };
  const settle = async (points: number) => {
    await budget.settle(request, points);
    charged(points);
  };
  let last: SearchPage | undefined;
  for await (const page of searchJql(client, query, opts)) {
    await settle(1 + page.issues.length);
    last = page;
    yield page;
  }
  // A token was followed (or nothing came at all): the last request found an empty page.
  if (last === undefined || (last.nextPageToken !== null && last.index + 1 < opts.maxPages)) {
    await settle(1);
  }
}

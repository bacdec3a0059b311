import type { JiraFieldInfo } from '../../../connectors/config/resolve-field-names.ts';
import type { Connection } from '../../connections/connection.ts';
import type { ConnectionStore } from '../../connections/connection-store.ts';
import type { JiraClient } from './jira-client.ts';
import type { JiraIssue } from './jira-search.ts';

/** A comment as REST v3 returns it; `body` is ADF. */
export interface JiraComment {
  readonly id: string;
  readonly body?: unknown;
  readonly author?: { readonly accountId?: string; readonly displayName?: string };
  readonly created: string;
  readonly updated: string;
  readonly jsdPublic?: boolean;
  readonly visibility?: unknown;
  readonly properties?: readonly { key: string; value: unknown }[];
}

export interface JiraProject {
  readonly id: string;
  readonly key: string;
  readonly name: string;
}

export interface PageSizes {
  /** JIRA_BULK_FETCH_SIZE. */
  readonly bulkFetch: number;
  /** JIRA_COMMENT_PAGE_SIZE. */
  readonly commentPage: number;
  /** JIRA_SEARCH_MAX_PAGES, reused as the cap of every paged listing. */
  readonly maxPages: number;
}

/** `POST /issue/bulkfetch` in chunks. Issues that are gone or not visible are simply absent. */
export async function bulkFetchIssues(
  client: JiraClient,
  ids: readonly string[],
  sizes: PageSizes,
  opts: { fields: readonly string[]; expand?: readonly string[]; properties?: readonly string[] },
): Promise<{ issues: JiraIssue[]; errors: unknown[] }> {
  const issues: JiraIssue[] = [];
  const errors: unknown[] = [];
  for (const chunk of chunks(ids, sizes.bulkFetch)) {
    const page = await client.post<{ issues?: JiraIssue[]; issueErrors?: unknown[] }>(
      'issue/bulkfetch',
      {
        issueIdsOrKeys: chunk,
        fields: opts.fields,
        expand: opts.expand ?? [],
        properties: opts.properties ?? [],
      },
      { idempotent: true, routeClass: 'issue-bulkfetch', estimatedCost: 1 + chunk.length },
    );
    issues.push(...(page.issues ?? []));
    errors.push(...(page.issueErrors ?? []));
  }
  return { issues, errors };
}

/** `POST /comment/list`: comments by id, up to 1000 per call. */
export async function fetchCommentsByIds(
  client: JiraClient,
  ids: readonly string[],
  expand?: string,
): Promise<JiraComment[]> {
  const comments: JiraComment[] = [];
  for (const chunk of chunks(ids, 1000)) {
    const page = await client.request<{ values?: JiraComment[] }>({
      method: 'POST',
      path: 'comment/list',
      json: { ids: chunk.map(Number) },
      ...(expand ? { searchParams: { expand } } : {}),
      idempotent: true,
      routeClass: 'comment-list',
      estimatedCost: 1 + chunk.length,
    });
    comments.push(...(page.values ?? []));
  }
  return comments;
}

/** `GET /issue/{key}/comment`, oldest first, page by page (offset paging with a cap). */
export async function* issueCommentPages(
  client: JiraClient,
  issueIdOrKey: string,
  sizes: PageSizes,
): AsyncGenerator<readonly JiraComment[], void, undefined> {
  let startAt = 0;
  for (let page = 0; page < sizes.maxPages; page++) {
    const body = await client.get<{ comments?: JiraComment[]; total?: number }>(
      `issue/${encodeURIComponent(issueIdOrKey)}/comment`,
      { startAt, maxResults: sizes.commentPage, orderBy: 'created' },
      { routeClass: 'issue-comments', estimatedCost: 1 + sizes.commentPage },
    );
    const comments = body.comments ?? [];
    if (comments.length === 0) return;
    yield comments;
    startAt += comments.length;
    if (body.total !== undefined && startAt >= body.total) return;
  }
}

/** Every project the grant can see (`GET /project/search`, offset paging). */
export async function listProjects(client: JiraClient, sizes: PageSizes): Promise<JiraProject[]> {
  const projects: JiraProject[] = [];
  for (let page = 0; page < sizes.maxPages; page++) {
    const body = await client.get<{ values?: JiraProject[]; isLast?: boolean; total?: number }>(
      'project/search',
      { startAt: projects.length, maxResults: 50 },
      { routeClass: 'project-search', estimatedCost: 51 },
    );
    const values = body.values ?? [];
    projects.push(...values.map(({ id, key, name }) => ({ id, key, name })));
    if (values.length === 0 || body.isLast === true) break;
    if (body.total !== undefined && projects.length >= body.total) break;
  }
  return projects;
}

/**
 * The budget's estimate for the field list: 1 point plus one per field returned, and a site has
 * about 50 system fields plus its custom ones. Fetched once per site and cache period.
 */
const FIELD_LIST_ESTIMATED_COST = 1 + 150;

/** Every system and custom field of the site (`GET /field`), as the id and name pairs mapping needs. */
export async function listFields(client: JiraClient): Promise<JiraFieldInfo[]> {
  const fields = await client.get<{ id: string; name: string }[]>('field', undefined, {
    routeClass: 'field',
    estimatedCost: FIELD_LIST_ESTIMATED_COST,
  });
  return fields.map(({ id, name }) => ({ id, name }));
}

/**
 * The field list of a site by host, through that site's connection: undefined when the relay has
 * no active connection to ask it with. What MappingProvider calls (and caches) to resolve names.
 */
export function fieldListOfSite(
  connections: Pick<ConnectionStore, 'findBySiteHost'>,
  clientFor: (connection: Connection) => JiraClient,
): (siteHost: string) => Promise<JiraFieldInfo[] | undefined> {
  return async (siteHost) => {
    const connection = await connections.findBySiteHost(siteHost);
    if (connection?.status !== 'active') return undefined;
    return listFields(clientFor(connection));
  };
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

import type { ResolvedMapping } from '../../connectors/config/resolve-field-names.ts';
import type { RedisJiraBudget } from '../atlassian/budget/redis-jira-budget.ts';
import type { JiraClient } from '../atlassian/jira/jira-client.ts';
import { listProjects, type PageSizes } from '../atlassian/jira/jira-reads.ts';
import type { RedisClient } from '../state/redis-client.ts';

/** The fields every connector reads from an issue snapshot, and the embedded comments. */
const snapshotFields = [
  'summary',
  'description',
  'status',
  'priority',
  'issuetype',
  'project',
  'assignee',
  'reporter',
  'labels',
  'components',
  'created',
  'updated',
  'comment',
] as const;

/** Only what the connectors need: the snapshot's fields plus every field a mapping names on this site. */
export function syncFields(mappings: Iterable<ResolvedMapping>): string[] {
  const fields = new Set<string>(snapshotFields);
  for (const mapping of mappings) for (const id of Object.values(mapping.fields)) fields.add(id);
  return [...fields];
}

/**
 * Bounded JQL in the sync order. The lower bound is an unquoted number, which Jira reads as epoch
 * milliseconds: a date string would be read in the time zone of the account running the search and
 * skip or repeat hours of changes.
 */
export function syncJql(projectKeys: readonly string[], updatedSince: number | null): string {
  const projects = `project in (${projectKeys.map((k) => `"${k.replace(/["\\]/g, '')}"`).join(', ')})`;
  const since = updatedSince === null ? '' : ` AND updated >= ${Math.max(0, Math.floor(updatedSince))}`;
  return `${projects}${since} ORDER BY updated ASC, id ASC`;
}

export interface ProjectScopeOptions {
  readonly redis: RedisClient;
  readonly prefix: string;
  readonly sizes: PageSizes;
  readonly budget: Pick<RedisJiraBudget, 'settle'>;
  /** SYNC_PROJECTS_CACHE_SECONDS. */
  readonly cacheSeconds: number;
}

/** The project keys a pass searches, and the points listing them cost this time. */
export interface ProjectScope {
  readonly keys: readonly string[];
  /** Points charged for the project listing: 0 when the keys were set or cached. */
  readonly points: number;
}

/**
 * The projects a connection syncs: the keys an operator set, else every project the grant can see
 * (listed once per cache period, so a poll costs one search, not a project listing as well). The
 * points say what the listing was charged, so a poll can count what it spent (the planner plans with it).
 */
export async function projectScope(client: JiraClient, opts: ProjectScopeOptions): Promise<ProjectScope> {
  const { connection } = client;
  if (connection.projectKeys !== null) return { keys: [...connection.projectKeys], points: 0 };
  const key = `${opts.prefix}:sync:${connection.id}:projects`;
  const cached = await opts.redis.get(key);
  if (cached !== null) return { keys: JSON.parse(cached) as string[], points: 0 };
  const keys = (await listProjects(client, opts.sizes)).map((p) => p.key);
  const pages = Math.max(1, Math.ceil(keys.length / 50));
  // One point per page plus one per project, as Jira charges the listing.
  const points = pages + keys.length;
  await opts.budget.settle({ site: connection.siteHost, estimatedCost: 51 * pages }, points);
  await opts.redis.set(key, JSON.stringify(keys), 'EX', opts.cacheSeconds);
  return { keys, points };
}

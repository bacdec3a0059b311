import type { Simulator } from '../../test/sim/index.ts';
import { jiraRequest, obtainTokens } from '../../test/sim/test-client.ts';

/** An issue as Jira shows it now: what the final states are computed from. */
export interface IssueNow {
  readonly id: string;
  readonly key: string;
  readonly updated: number;
  readonly status: string;
  /** `new`, `indeterminate` or `done`. */
  readonly category: string;
  readonly priority: string | null;
  readonly commentIds: readonly string[];
  /** False when the issue has more comments than a search embeds (20). */
  readonly commentsComplete: boolean;
}

interface RawIssue {
  id: string;
  key: string;
  fields: {
    updated?: string;
    status?: { name: string; statusCategory?: { key: string } };
    priority?: { name: string } | null;
    comment?: { comments: Array<{ id: string }>; total: number };
  };
}

function issueNow(raw: RawIssue): IssueNow {
  const f = raw.fields;
  const comments = f.comment?.comments ?? [];
  return {
    id: raw.id,
    key: raw.key,
    updated: Date.parse(f.updated ?? ''),
    status: f.status?.name ?? '',
    category: f.status?.statusCategory?.key ?? 'undefined',
    priority: f.priority?.name ?? null,
    commentIds: comments.map((c) => c.id),
    commentsComplete: (f.comment?.total ?? 0) <= comments.length,
  };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Reads Jira (the simulator's REST API) with a grant of its own, as another app would: the seeded
 * issues the load may touch, and, when the load stops, the final state of everything it touched.
 * Calls are few and small (bulk reads), so they hardly dent the points the relay shares with it.
 */
export class JiraReader {
  readonly #simUrl: string;
  readonly #token: string;

  private constructor(simUrl: string, token: string) {
    this.#simUrl = simUrl;
    this.#token = token;
  }

  static async create(sim: Simulator): Promise<JiraReader> {
    const user = sim.users.at(-1) ?? sim.users[0];
    const tokens = await obtainTokens(sim.url, {
      clientId: sim.clientId,
      clientSecret: sim.clientSecret,
      ...(user ? { loginHint: user.accountId } : {}),
    });
    return new JiraReader(sim.url, tokens.access_token);
  }

  async #call(cloudId: string, method: string, path: string, body?: unknown) {
    const res = await jiraRequest({ simUrl: this.#simUrl, token: this.#token, cloudId }, method, path, body);
    if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.json)}`);
    return res.json;
  }

  /** Every issue of the site's projects, with status, priority and embedded comments. */
  async allIssues(cloudId: string, projects: readonly string[]): Promise<IssueNow[]> {
    const out: IssueNow[] = [];
    let nextPageToken: string | undefined;
    do {
      const page = await this.#call(cloudId, 'POST', '/search/jql', {
        jql: `project in (${projects.join(',')}) ORDER BY id ASC`,
        fields: ['updated', 'status', 'priority', 'comment'],
        maxResults: 100,
        ...(nextPageToken ? { nextPageToken } : {}),
      });
      out.push(...(page.issues as RawIssue[]).map(issueNow));
      nextPageToken = page.nextPageToken;
    } while (nextPageToken);
    return out;
  }

  /** The issues that still exist, by id; a missing id is a deleted issue. */
  async issues(cloudId: string, ids: readonly string[]): Promise<Map<string, IssueNow>> {
    const out = new Map<string, IssueNow>();
    for (const batch of chunks(ids, 1000)) {
      const page = await this.#call(cloudId, 'POST', '/issue/bulkfetch', {
        issueIdsOrKeys: batch,
        fields: ['updated', 'status', 'priority'],
      });
      for (const raw of page.issues as RawIssue[]) out.set(raw.id, issueNow(raw));
    }
    return out;
  }

  /** The comments that still exist: id -> `updated` (epoch ms); a missing id is a deleted comment. */
  async comments(cloudId: string, ids: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const batch of chunks(ids, 1000)) {
      const page = await this.#call(cloudId, 'POST', '/comment/list', { ids: batch });
      for (const c of page.values as Array<{ id: string; updated: string }>) {
        out.set(c.id, Date.parse(c.updated));
      }
    }
    return out;
  }
}

import { describe, expect, it } from 'vitest';
import type { JiraClient } from '../../../../src/atlassian/jira/jira-client.ts';
import {
  bulkFetchIssues,
  fetchCommentsByIds,
  issueCommentPages,
  type JiraComment,
  listProjects,
  type PageSizes,
} from '../../../../src/atlassian/jira/jira-reads.ts';
import { consent, startTokenStack } from '../../tokens/token-stack.ts';

/** Small pages, so every helper has to follow its paging several times. */
const sizes: PageSizes = { bulkFetch: 7, commentPage: 2, maxPages: 1000 };

async function client(): Promise<JiraClient> {
  const stack = await startTokenStack({ sim: { issuesPerSite: 60 } });
  if ((await consent(stack)).status !== 200) throw new Error('consent failed');
  const [connection] = await stack.services.connections.list();
  if (!connection) throw new Error('no connection');
  return stack.jira(connection);
}

async function allIssueIds(jira: JiraClient): Promise<string[]> {
  const body = await jira.post<{ issues: { id: string }[] }>(
    'search/jql',
    { jql: 'project in (OPS, CRM, WEB) ORDER BY id ASC', maxResults: 5000 },
    { idempotent: true },
  );
  return body.issues.map((i) => i.id);
}

async function collect<T>(pages: AsyncIterable<readonly T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...page);
  return out;
}

describe('Jira read helpers against the simulator', () => {
  it('lists every project of the site', async () => {
    const projects = await listProjects(await client(), sizes);
    expect(projects.map((p) => p.key).sort()).toEqual(['CRM', 'OPS', 'WEB']);
  });

  it('bulk-fetches issues in chunks and returns each one once', async () => {
    const jira = await client();
    const ids = await allIssueIds(jira);
    const { issues, errors } = await bulkFetchIssues(jira, ids, sizes, { fields: ['summary', 'updated'] });
    expect(errors).toEqual([]);
    expect(issues.map((i) => i.id).sort()).toEqual([...ids].sort());
    expect(issues.every((i) => typeof i.fields.updated === 'string')).toBe(true);
  });

  it('pages through an issue’s comments oldest first, and fetches the same comments by id', async () => {
    const jira = await client();
    const ids = await allIssueIds(jira);
    let comments: JiraComment[] = [];
    for (const id of ids) {
      comments = await collect(issueCommentPages(jira, id, sizes));
      if (comments.length > sizes.commentPage * 2) break;
    }
    expect(comments.length).toBeGreaterThan(sizes.commentPage * 2);
    const created = comments.map((c) => Date.parse(c.created));
    expect(created).toEqual([...created].sort((a, b) => a - b));

    const byId = await fetchCommentsByIds(
      jira,
      comments.map((c) => c.id),
    );
    expect(byId.map((c) => c.id).sort()).toEqual(comments.map((c) => c.id).sort());
  });
});

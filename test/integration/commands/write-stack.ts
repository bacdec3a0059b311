import { randomUUID } from 'node:crypto';
import type { JiraClient } from '../../../src/atlassian/jira/jira-client.ts';
import type { AdfDocument } from '../../../src/commands/contract/adf-document.ts';
import type { WriteOrigin } from '../../../src/commands/jira/write-origin.ts';
import type { Connection } from '../../../src/connections/connection.ts';
import type { LooseJson } from '../../sim/test-client.ts';
import { consent, type StackOptions, startTokenStack, type TokenStack } from '../tokens/token-stack.ts';

/** A connected relay client against the simulator (real port, real OAuth grant), torn down per test. */
export interface WriteStack {
  readonly stack: TokenStack;
  readonly connection: Connection;
  readonly jira: JiraClient;
  readonly cloudId: string;
  /** A fresh command origin. */
  origin(source?: string): WriteOrigin;
  /** `GET` through the REST API, as anyone reading the issue back would. */
  read(path: string, params?: Record<string, string | number>): Promise<LooseJson>;
  /** A new issue in OPS, made "in Jira" by a person. */
  newIssue(fields?: Record<string, unknown>): { id: string; key: string };
  /** Issues of a project, counted through search (ids only). */
  countIssues(project: string): Promise<number>;
  /** Points the simulator charged for `METHOD /route` (Fastify route syntax under the REST base). */
  points(method: string, route: string): number;
}

export async function startWriteStack(opts: StackOptions = {}): Promise<WriteStack> {
  const stack = await startTokenStack({ ...opts, sim: { issuesPerSite: 30, ...opts.sim } });
  if ((await consent(stack)).status !== 200) throw new Error('consent failed');
  const [connection] = await stack.services.connections.list();
  if (!connection) throw new Error('no connection');
  const jira = stack.jira(connection);
  return {
    stack,
    connection,
    jira,
    cloudId: connection.cloudId,
    origin: (source = 'crm.example') => ({ commandId: randomUUID(), source }),
    read: (path, params) => jira.get<LooseJson>(path, params),
    newIssue: (fields = {}) =>
      stack.sim.createIssue(connection.cloudId, { fields: { project: { key: 'OPS' }, ...fields } }),
    countIssues: async (project) => {
      const body = await jira.post<{ issues: unknown[] }>(
        'search/jql',
        { jql: `project = ${project}`, maxResults: 5000 },
        { idempotent: true },
      );
      return body.issues.length;
    },
    points: (method, route) =>
      stack.sim.stats().pointsByRoute[`${method} /ex/jira/:cloudId/rest/api/3/${route}`] ?? 0,
  };
}

/** The simple text-to-ADF converter tests pass where the command normalizer's would go. */
export function paragraph(text: string): AdfDocument {
  return { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] };
}

import { z } from 'zod';
import type { JiraClient } from '../../atlassian/jira/jira-client.ts';
import { RelayError } from '../../errors.ts';
import { parseJiraAnswer, segment } from './jira-answer.ts';

/** Jira's `StatusDetails`, as far as commands need it. */
export const jiraStatus = z.object({
  id: z.string(),
  name: z.string(),
  statusCategory: z.object({ key: z.string() }).optional(),
});

/** A status with its category key (`new`, `indeterminate`, `done`; Jira also knows `undefined`). */
export interface IssueStatus {
  readonly id: string;
  readonly name: string;
  readonly category: string;
}

/** What a conflict check compares and reports: Jira's current version of the issue. */
export interface IssueVersion {
  readonly id: string;
  readonly key: string;
  /** As Jira formats it (`2026-05-01T10:00:00.000+0200`, in the grant's user's time zone). */
  readonly updated: string;
  readonly status: IssueStatus;
}

const versionAnswer = z.object({
  id: z.string(),
  key: z.string(),
  fields: z.object({ updated: z.string(), status: jiraStatus }),
});

/** A status as the write layer reports it. */
export function toIssueStatus(status: z.output<typeof jiraStatus>): IssueStatus {
  return { id: status.id, name: status.name, category: status.statusCategory?.key ?? 'undefined' };
}

/** The issue's `updated` and status (`GET issue/{issue}?fields=updated,status`, 2 points). */
export async function readIssueVersion(client: JiraClient, issue: string): Promise<IssueVersion> {
  const body = await client.get<unknown>(
    `issue/${segment(issue)}`,
    { fields: 'updated,status' },
    { routeClass: 'issue', estimatedCost: 2 },
  );
  const answer = parseJiraAnswer(versionAnswer, body, 'GET issue');
  return {
    id: answer.id,
    key: answer.key,
    updated: answer.fields.updated,
    status: toIssueStatus(answer.fields.status),
  };
}

const changelogPage = z.object({
  total: z.number().optional(),
  isLast: z.boolean().optional(),
  values: z.array(
    z.object({
      created: z.string(),
      items: z.array(z.object({ field: z.string().optional() })).default([]),
    }),
  ),
});

type ChangelogPage = z.output<typeof changelogPage>;

/** How much of a changelog `changesSince` reads. */
export interface ChangelogReadOptions {
  /** Histories per page; default 50. */
  readonly pageSize?: number;
  /** Pages of histories read at most, newest first; default 4. */
  readonly maxPages?: number;
}

type PageReader = (startAt: number, maxResults: number) => Promise<ChangelogPage>;

/**
 * The names of the fields (`status`, `summary`, `Customer`...) changed after `sinceIso`, oldest
 * change first, for the report of an `ifUpdated` conflict. Jira pages the changelog oldest first,
 * so a one-history page learns the total and pages are then read from the end until one reaches
 * back to `sinceIso`, at most `maxPages` of them (older changes past that are left out).
 */
export async function changesSince(
  client: JiraClient,
  issue: string,
  sinceIso: string,
  opts: ChangelogReadOptions = {},
): Promise<string[]> {
  const since = Date.parse(sinceIso);
  if (Number.isNaN(since)) throw new RelayError('BAD_REQUEST', `not an ISO 8601 time: ${sinceIso}`);
  const pageSize = opts.pageSize ?? 50;
  const maxPages = opts.maxPages ?? 4;
  const read: PageReader = (startAt, maxResults) => readChangelogPage(client, issue, startAt, maxResults);
  const probe = await read(0, 1);
  let histories = probe.values;
  if (probe.isLast !== true && probe.values.length > 0) {
    histories =
      probe.total === undefined
        ? await readForward(read, pageSize, maxPages)
        : await readBackward(read, probe.total, since, pageSize, maxPages);
  }
  const names = histories
    .filter((h) => Date.parse(h.created) > since)
    .flatMap((h) => h.items.flatMap((item) => (item.field === undefined ? [] : [item.field])));
  return [...new Set(names)];
}

/** The newest pages, back to the first that holds a history at or before `since`; oldest first. */
async function readBackward(
  read: PageReader,
  total: number,
  since: number,
  pageSize: number,
  maxPages: number,
): Promise<ChangelogPage['values']> {
  const histories: ChangelogPage['values'] = [];
  let end = total;
  for (let page = 0; page < maxPages && end > 0; page++) {
    const start = Math.max(0, end - pageSize);
    const values = (await read(start, end - start)).values;
    histories.unshift(...values);
    if (values.length === 0 || values.some((h) => Date.parse(h.created) <= since)) break;
    end = start;
  }
  return histories;
}

/** Without a total (the OpenAPI leaves it optional): the first pages, oldest first. */
async function readForward(
  read: PageReader,
  pageSize: number,
  maxPages: number,
): Promise<ChangelogPage['values']> {
  const histories: ChangelogPage['values'] = [];
  for (let page = 0; page < maxPages; page++) {
    const body = await read(histories.length, pageSize);
    histories.push(...body.values);
    if (body.isLast === true || body.values.length === 0) break;
  }
  return histories;
}

function readChangelogPage(
  client: JiraClient,
  issue: string,
  startAt: number,
  maxResults: number,
): Promise<ChangelogPage> {
  return client
    .get<unknown>(
      `issue/${segment(issue)}/changelog`,
      { startAt, maxResults },
      { routeClass: 'issue-changelog', estimatedCost: 1 + maxResults },
    )
    .then((body) => parseJiraAnswer(changelogPage, body, 'GET issue changelog'));
}

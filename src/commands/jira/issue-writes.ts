import { z } from 'zod';
import type { JiraClient } from '../../atlassian/jira/jira-client.ts';
import { parseJiraAnswer, segment } from './jira-answer.ts';
import { findOwnIssue, type OwnIssueLookup } from './own-issue-lookup.ts';
import { originHistoryMetadata, originProperties, type WriteOrigin } from './write-origin.ts';

/** A `jira.issue.create` command, its fields already resolved. */
export interface CreateIssueInput {
  /** Project key or id. */
  readonly project: string;
  /** Issue type name or id. */
  readonly issueType: string;
  /** Keyed by field id, values in Jira's shapes (see `resolveFields`). */
  readonly fields: Readonly<Record<string, unknown>>;
  readonly origin: WriteOrigin;
  /** An earlier attempt may have reached Jira (timeout, dropped connection, killed worker). */
  readonly mayHaveWritten: boolean;
  /** Where that earlier issue is looked for; read the limits on `OwnIssueLookup`. */
  readonly lookup?: OwnIssueLookup;
}

/** The issue a create made, or found from an earlier attempt. */
export interface CreatedIssue {
  readonly id: string;
  readonly key: string;
  /** false: an earlier attempt of this command had created it, and nothing was written now. */
  readonly created: boolean;
}

const issueRef = z.object({ id: z.string(), key: z.string() });

/** Numeric text is an id; anything else a key (projects) or a name (issue types), which Jira accepts. */
const ref = (value: string, other: 'key' | 'name') =>
  /^\d+$/.test(value) ? { id: value } : { [other]: value };

/**
 * Creates an issue with the origin marker and history metadata in the same request (`POST issue`,
 * never retried by the client: a lost answer may hide a created issue). With `mayHaveWritten`, it
 * first looks for the issue an earlier attempt of the same command created and returns that one
 * (`created: false`). The issue type goes by name or id in the body (`issuetype: {name}`), which
 * saves a createmeta call.
 */
export async function createIssue(client: JiraClient, input: CreateIssueInput): Promise<CreatedIssue> {
  if (input.mayHaveWritten) {
    const earlier = await findOwnIssue(client, input.project, input.origin.commandId, input.lookup);
    if (earlier) return { ...earlier, created: false };
  }
  const body = await client.request<unknown>({
    method: 'POST',
    path: 'issue',
    json: {
      fields: {
        ...input.fields,
        project: ref(input.project, 'key'),
        issuetype: ref(input.issueType, 'name'),
      },
      properties: originProperties(input.origin),
      historyMetadata: originHistoryMetadata(input.origin),
    },
    idempotent: false,
    routeClass: 'issue-create',
    estimatedCost: 1,
  });
  const created = parseJiraAnswer(issueRef, body, 'POST issue');
  return { id: created.id, key: created.key, created: true };
}

/** A `jira.issue.update` command, its fields already resolved. */
export interface EditIssueInput {
  /** Issue key or id. */
  readonly issue: string;
  /** Keyed by field id, values in Jira's shapes (see `resolveFields`). */
  readonly fields: Readonly<Record<string, unknown>>;
  readonly origin: WriteOrigin;
}

/** The issue after an edit: its version, for the pending-write record and the result. */
export interface EditedIssue {
  readonly id: string;
  readonly key: string;
  /** The issue's `updated` after the edit, as Jira formats it. */
  readonly updated: string;
}

const returnedIssue = z.object({
  id: z.string(),
  key: z.string(),
  fields: z.object({ updated: z.string() }),
});

/**
 * Edits fields with the origin marker and history metadata in the same request
 * (`PUT issue/{issue}?returnIssue=true`, so the resulting `updated` comes back with it). Setting
 * the same values again changes nothing, so the client may retry it.
 */
export async function editIssue(client: JiraClient, input: EditIssueInput): Promise<EditedIssue> {
  const body = await client.request<unknown>({
    method: 'PUT',
    path: `issue/${segment(input.issue)}`,
    searchParams: { returnIssue: true },
    json: {
      fields: input.fields,
      properties: originProperties(input.origin),
      historyMetadata: originHistoryMetadata(input.origin),
    },
    idempotent: true,
    routeClass: 'issue-edit',
    // A write (1) that returns the issue (1 more, if Jira counts it as read).
    estimatedCost: 2,
  });
  const issue = parseJiraAnswer(returnedIssue, body, 'PUT issue');
  return { id: issue.id, key: issue.key, updated: issue.fields.updated };
}

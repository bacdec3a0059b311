import { z } from 'zod';
import type { JiraClient } from '../../atlassian/jira/jira-client.ts';
import { type IssueStatus, jiraStatus, toIssueStatus } from './issue-version.ts';
import { parseJiraAnswer, segment } from './jira-answer.ts';
import { type AvailableTransition, pickTransition, type TransitionTarget } from './transition-picker.ts';
import { originHistoryMetadata, originProperties, type WriteOrigin } from './write-origin.ts';

/** A `jira.issue.transition` command with its target (statuses by id, name or category). */
export interface TransitionIssueInput {
  /** Issue key or id. */
  readonly issue: string;
  readonly to: TransitionTarget;
  readonly origin: WriteOrigin;
  /** Fields of the transition screen (resolution...), keyed by id, in Jira's shapes. */
  readonly fields?: Readonly<Record<string, unknown>>;
}

/** What a transition command did; `status` is where the issue is now (or, transitioned, goes). */
export type TransitionOutcome =
  | { readonly transitioned: true; readonly transitionId: string; readonly status: IssueStatus }
  | { readonly transitioned: false; readonly reason: 'already there'; readonly status: IssueStatus }
  /** No transition leads to the target: the result is `failed`, naming the statuses it can reach. */
  | { readonly unreachable: true; readonly reachable: readonly string[]; readonly status: IssueStatus };

const issueWithTransitions = z.object({
  fields: z.object({ status: jiraStatus }),
  transitions: z
    .array(
      z.object({ id: z.string(), name: z.string(), to: jiraStatus, isAvailable: z.boolean().optional() }),
    )
    .default([]),
});

/**
 * Moves the issue to the target status (see `pickTransition`) with the origin marker and history
 * metadata in the same request. One read gives both the current status and the transitions
 * (`GET issue/{issue}?fields=status&expand=transitions`); `GET issue/{issue}/transitions` alone
 * would not tell "already there" from "unreachable". The `POST` is not retried by the client: a
 * repeat after a lost answer finds the issue already there.
 */
export async function transitionIssue(
  client: JiraClient,
  input: TransitionIssueInput,
): Promise<TransitionOutcome> {
  const { current, available } = await readTransitions(client, input.issue);
  const pick = pickTransition(current, available, input.to);
  if (pick.kind === 'already there') return { transitioned: false, reason: 'already there', status: current };
  if (pick.kind === 'unreachable') return { unreachable: true, reachable: pick.reachable, status: current };
  await client.request({
    method: 'POST',
    path: `issue/${segment(input.issue)}/transitions`,
    json: {
      transition: { id: pick.transition.id },
      ...(input.fields ? { fields: input.fields } : {}),
      properties: originProperties(input.origin),
      historyMetadata: originHistoryMetadata(input.origin),
    },
    idempotent: false,
    routeClass: 'issue-transitions',
    estimatedCost: 1,
  });
  return { transitioned: true, transitionId: pick.transition.id, status: pick.transition.to };
}

async function readTransitions(
  client: JiraClient,
  issue: string,
): Promise<{ current: IssueStatus; available: AvailableTransition[] }> {
  const body = await client.get<unknown>(
    `issue/${segment(issue)}`,
    { fields: 'status', expand: 'transitions' },
    { routeClass: 'issue', estimatedCost: 2 },
  );
  const answer = parseJiraAnswer(issueWithTransitions, body, 'GET issue with transitions');
  return {
    current: toIssueStatus(answer.fields.status),
    available: answer.transitions
      .filter((t) => t.isAvailable !== false)
      .map((t) => ({ id: t.id, name: t.name, to: toIssueStatus(t.to) })),
  };
}

import type { JiraIntent } from '../../../connectors/jira-intent.ts';
import type { JiraClient } from '../../atlassian/jira/jira-client.ts';
import { JiraHttpError } from '../../atlassian/jira/jira-http-error.ts';
import type { Connection } from '../../connections/connection.ts';
import { isRelayError } from '../../errors.ts';
import type { Command } from '../command.ts';
import { gateCommand } from '../command-gate.ts';
import type { ApplyCommand, ApplyOutcome } from '../command-runner.ts';
import { type CommandMappings, commandIntent } from '../contract/command-intent.ts';
import type { RedisPendingWrites } from '../echo/pending-writes.ts';
import type { SiteFieldCache } from '../jira/site-field-list.ts';
import { classifyJiraFailure } from '../jira/write-outcome.ts';
import { applyCommentIntent } from './apply-comment-intent.ts';
import { applyCreateIssue, applyUpdateIssue } from './apply-issue-intent.ts';
import type { WriteContext, WriteResult } from './write-context.ts';

export interface ApplyCommandDeps {
  readonly findConnection: (siteHost: string) => Promise<Connection | null>;
  /** A Jira client charged at webhook priority: a command is someone waiting. */
  readonly clientFor: (connection: Connection) => JiraClient;
  /** The site's enabled connectors' mappings (the connectors file, field names resolved). */
  readonly mappingsFor: (siteHost: string) => Promise<CommandMappings>;
  readonly writes: RedisPendingWrites;
  readonly fieldLists: SiteFieldCache;
  readonly createLookbackMinutes: number;
  readonly now: () => number;
}

/**
 * A command to Jira: rejected when the relay may not write to its site, turned into an intent
 * (connector-shaped commands through the connectors file), then written. Jira's refusals are
 * `failed` with its messages; passing failures (5xx, timeouts, 429, the budget) ask for a retry.
 * Anything else (Redis away) is thrown: the command is answered later, its offset not committed.
 */
export function createApplyCommand(deps: ApplyCommandDeps): ApplyCommand {
  return async (command: Command, priorAttempts: number): Promise<ApplyOutcome> => {
    const gate = gateCommand(command.siteHost, await deps.findConnection(command.siteHost));
    if (!gate.ok) return rejected(gate.reason);
    const intent = commandIntent(command.data, await deps.mappingsFor(command.siteHost));
    if ('error' in intent) return rejected(intent.error);
    const ctx: WriteContext = {
      command,
      client: deps.clientFor(gate.connection),
      origin: { commandId: command.id, source: command.source },
      writes: deps.writes,
      fieldLists: deps.fieldLists,
      mayHaveWritten: priorAttempts > 0,
      createLookbackMinutes: deps.createLookbackMinutes,
      now: deps.now,
    };
    try {
      return { kind: 'result', result: await write(ctx, intent) };
    } catch (err) {
      if (!(err instanceof JiraHttpError) && !isRelayError(err)) throw err;
      const failure = classifyJiraFailure(err);
      if (failure.kind === 'retry') {
        return {
          kind: 'retry',
          reason: err.message,
          ...(failure.delayMs === undefined ? {} : { delayMs: failure.delayMs }),
        };
      }
      if (failure.kind === 'rejected') return rejected(failure.reason);
      const reason = failure.messages.join('; ') || err.message;
      return {
        kind: 'result',
        result: {
          status: 'failed',
          issue: null,
          jira: { status: failure.status, messages: failure.messages },
          reason,
        },
      };
    }
  };
}

function write(ctx: WriteContext, intent: JiraIntent): Promise<WriteResult> {
  switch (intent.kind) {
    case 'create-issue':
      return applyCreateIssue(ctx, intent);
    case 'update-issue':
      return applyUpdateIssue(ctx, intent);
    default:
      return applyCommentIntent(ctx, intent);
  }
}

function rejected(reason: string): ApplyOutcome {
  return { kind: 'result', result: { status: 'rejected', issue: null, jira: null, reason } };
}

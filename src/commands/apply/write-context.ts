import type { JiraClient } from '../../atlassian/jira/jira-client.ts';
import type { Command, CommandResult } from '../command.ts';
import type { PendingWrite } from '../echo/pending-write.ts';
import type { RedisPendingWrites } from '../echo/pending-writes.ts';
import type { SiteFieldCache } from '../jira/site-field-list.ts';
import type { WriteOrigin } from '../jira/write-origin.ts';

/** What one command's writes share: its client, its origin marker, and the pending-write record. */
export interface WriteContext {
  readonly command: Command;
  readonly client: JiraClient;
  readonly origin: WriteOrigin;
  readonly writes: RedisPendingWrites;
  readonly fieldLists: SiteFieldCache;
  /** An earlier attempt of this command may have written (a lost answer, a killed worker). */
  readonly mayHaveWritten: boolean;
  /** COMMAND_CREATE_LOOKBACK_MINUTES. */
  readonly createLookbackMinutes: number;
  readonly now: () => number;
}

/** A result of a command that reached Jira (or found it already done). */
export type WriteResult = Omit<CommandResult, 'commandId' | 'attempts'>;

/** The pending write for a command's write about to be sent (loop prevention). */
export function pendingWrite(
  ctx: WriteContext,
  write: Omit<PendingWrite, 'commandId' | 'source' | 'connector' | 'startedAt'>,
): PendingWrite {
  return {
    commandId: ctx.command.id,
    source: ctx.command.source,
    connector: ctx.command.connector ?? null,
    startedAt: ctx.now(),
    ...write,
  };
}

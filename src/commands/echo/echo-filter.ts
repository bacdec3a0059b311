import type { IssueSnapshot, JiraChange } from '../../../connectors/jira-change.ts';
import type { EchoFilter, EchoOrigin } from '../../pipeline/connector-turn.ts';
import { matchEcho } from './match-echo.ts';
import type { RedisPendingWrites } from './pending-writes.ts';

/**
 * The change pipeline's view of the pending writes: the command (if any) whose write caused a change.
 * Comments and issues are looked up under their issue, where the writes are recorded; a create whose
 * issue only its webhook revealed is recorded under that issue.
 */
export function pendingWriteEchoes(writes: RedisPendingWrites): EchoFilter {
  return {
    async match(change: JiraChange, previous: IssueSnapshot | null): Promise<EchoOrigin | null> {
      const pending = await writes.forIssue(change.site.host, change.issue.id);
      if (pending.length === 0) return null;
      const write = matchEcho(change, pending, previous);
      if (write === null) return null;
      // A create whose answer was lost: its webhook tells the issue, so a retry does not write again.
      if (write.kind === 'issue-create' && write.issueId === null) {
        await writes.createdAs(change.site.host, { ...write, issueId: change.issue.id });
      }
      return { commandId: write.commandId, source: write.source, connector: write.connector };
    },
  };
}

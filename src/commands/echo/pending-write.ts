/**
 * A write the relay made (or is making) in Jira for a command, kept until the change it causes comes
 * back by webhook or poll, so that change is not published to the connector whose system sent the
 * command (DESIGN.md, "Two-way sync": loop prevention).
 */
export interface PendingWrite {
  /** The command's idempotency id (its `ce_id`). */
  readonly commandId: string;
  /** Which of the command's writes, when it makes more than one (an edit, then a transition). */
  readonly step?: string;
  /** The command's `ce_source`: carried as `ce_origin` on what other connectors receive. */
  readonly source: string;
  /** The connector whose system sent the command: the change is not published back to it. */
  readonly connector: string | null;
  readonly kind: 'issue-create' | 'issue-edit' | 'comment-create' | 'comment-edit' | 'comment-delete';
  /** Null for a create until Jira answered with the new issue's id. */
  readonly issueId: string | null;
  /** A create: the project key and summary it writes, to know the issue before Jira's answer does. */
  readonly projectKey?: string;
  readonly summary?: string;
  /** Field ids the write sets (a transition: `status` and `resolution`, plus the fields it carries). */
  readonly fields: readonly string[];
  readonly commentId?: string;
  /** A comment's text, to know the comment before Jira's answer gives its id. */
  readonly bodyText?: string;
  /** Epoch ms just before the write was sent. */
  readonly startedAt: number;
  /** Epoch ms of the entity's `updated` after the write, when Jira told it. */
  readonly resultVersion?: number;
  /** Epoch ms when Jira answered. */
  readonly doneAt?: number;
}

import type { JiraIssue } from '../atlassian/jira/jira-search.ts';
import { epochMs } from '../normalize/jira-fields.ts';

/** A position in the sync order (`updated`, then id): the last issue a resumable scan read. */
export type ScanPosition = { readonly updated: number; readonly id: string } | null;

/**
 * Whether a searched issue is at or before the position: read by an earlier page. A scan resumes
 * at its position's `updated` (the JQL bound is inclusive), so the issues there come again.
 */
export function readBefore(issue: JiraIssue, after: ScanPosition): boolean {
  if (after === null) return false;
  const updated = epochMs(issue.fields.updated);
  if (updated === undefined) return false;
  if (updated !== after.updated) return updated < after.updated;
  return Number(issue.id) <= Number(after.id);
}

import type {
  CommentChange,
  CommentSnapshot,
  IssueChange,
  IssueSnapshot,
  JiraChange,
  SiteRef,
} from '../../connectors/jira-change.ts';
import type { JiraComment } from '../atlassian/jira/jira-reads.ts';
import type { JiraIssue } from '../atlassian/jira/jira-search.ts';
import { type KnownIssue, knownOnlyByComments } from '../state/known-entities.ts';
import { commentSnapshotFrom } from './comment-snapshot.ts';
import { issueSnapshotFrom } from './issue-snapshot.ts';
import { epochMs, mentionsFrom, type RichTextOptions, record } from './jira-fields.ts';

/** How the changes of one sync pass are stamped. */
export interface SyncStamp {
  readonly site: SiteRef;
  readonly source: 'poll' | 'backfill' | 'reconcile';
  /** When this pass saw Jira: observedAt of its changes, and the version of deletions it finds. */
  readonly observedAt: number;
  readonly markdown: boolean;
}

/** A REST v3 issue with what sync needs to know about it. */
export interface SyncedIssue {
  readonly raw: JiraIssue;
  readonly snapshot: IssueSnapshot;
  /** Epoch ms of `fields.updated`: the version, exactly as the webhook path computes it. */
  readonly version: number;
}

export function syncedIssue(raw: JiraIssue, stamp: SyncStamp): SyncedIssue | undefined {
  const snapshot = issueSnapshotFrom(raw, textOptions(raw, stamp));
  const version = epochMs(raw.fields.updated);
  return snapshot && version !== undefined ? { raw, snapshot, version } : undefined;
}

/** The change a polled issue stands for, or undefined when this version was queued before. */
export function issueChangeOf(
  issue: SyncedIssue,
  knownBefore: KnownIssue | undefined,
  stamp: SyncStamp,
): IssueChange | undefined {
  if (knownBefore?.version === issue.version) return undefined;
  // Known through its comments alone: no version of the issue was published yet.
  const known = knownBefore && !knownOnlyByComments(knownBefore) ? knownBefore : undefined;
  const base = {
    entity: 'issue' as const,
    site: stamp.site,
    issue: issue.snapshot,
    changelog: [],
    version: issue.version,
    source: stamp.source,
    observedAt: stamp.observedAt,
  };
  if (known && known.key !== issue.snapshot.key) return { ...base, kind: 'moved', previousKey: known.key };
  const created = known === undefined && issue.snapshot.created === issue.snapshot.updated;
  return { ...base, kind: created ? 'created' : 'updated' };
}

/** The comments embedded in a search result, and whether they are all of them (Jira embeds 20). */
export function embeddedComments(
  raw: JiraIssue,
): { comments: JiraComment[]; total: number; complete: boolean } | undefined {
  const page = record(raw.fields.comment);
  if (!page || !Array.isArray(page.comments)) return undefined;
  const comments = page.comments as JiraComment[];
  const total = typeof page.total === 'number' ? page.total : comments.length;
  return { comments, total, complete: comments.length >= total };
}

/**
 * Comment changes of one issue from its complete comment list, against the list known before:
 * new or edited comments (by id and `updated`) and deletions for comments that vanished.
 */
export function commentChangesOf(
  issue: SyncedIssue,
  comments: readonly JiraComment[],
  known: ReadonlyMap<string, number>,
  stamp: SyncStamp,
): { changes: CommentChange[]; versions: Map<string, number> } {
  const opts = textOptions(issue.raw, stamp, comments);
  const trimmed = trimmedIssue(issue.snapshot);
  const changes: CommentChange[] = [];
  const versions = new Map<string, number>();
  for (const raw of comments) {
    const comment = commentSnapshotFrom(raw, issue.snapshot.id, opts);
    const version = epochMs(raw.updated) ?? epochMs(raw.created);
    if (!comment || version === undefined) continue;
    versions.set(comment.id, version);
    if (known.get(comment.id) === version) continue;
    const kind = known.has(comment.id) ? 'updated' : 'created';
    changes.push({ ...commentBase(stamp, trimmed, comment, version), kind });
  }
  for (const id of known.keys()) {
    // The issue's own `updated` moved when the comment went: the best time the relay has for it.
    if (!versions.has(id)) changes.push(commentDeletion(stamp, trimmed, id, issue.version));
  }
  return { changes, versions };
}

/** How a deletion the relay derives is stamped: by a sync pass, or after an issue's deletion. */
type DeletionStamp = Pick<SyncStamp, 'site' | 'observedAt'> & { readonly source: JiraChange['source'] };

/** A comment the relay knew that Jira no longer has. */
export function commentDeletion(
  stamp: DeletionStamp,
  issue: CommentChange['issue'],
  commentId: string,
  version: number,
): CommentChange {
  const comment: CommentSnapshot = {
    id: commentId,
    issueId: issue.id,
    author: null,
    body: '',
    public: true,
    created: '',
    updated: '',
  };
  return { ...commentBase(stamp, issue, comment, version), kind: 'deleted' };
}

/** An issue the relay knew that Jira no longer has: its last processed snapshot when there is one. */
export function issueDeletion(
  stamp: SyncStamp,
  id: string,
  known: KnownIssue,
  last: IssueSnapshot | null,
): IssueChange {
  const projectKey = known.key.replace(/-\d+$/, '');
  const issue: IssueSnapshot = last ?? {
    id,
    key: known.key,
    project: { id: projectKey, key: projectKey },
    issueType: { name: 'Unknown' },
    summary: '',
    description: null,
    status: { name: 'Unknown', category: 'undefined' },
    priority: null,
    assignee: null,
    reporter: null,
    labels: [],
    components: [],
    customFields: {},
    created: '',
    updated: '',
  };
  return {
    entity: 'issue',
    kind: 'deleted',
    site: stamp.site,
    issue,
    changelog: [],
    version: stamp.observedAt,
    source: stamp.source,
    observedAt: stamp.observedAt,
  };
}

function trimmedIssue(issue: IssueSnapshot): CommentChange['issue'] {
  return {
    id: issue.id,
    key: issue.key,
    summary: issue.summary,
    projectKey: issue.project.key,
    issueType: issue.issueType.name,
  };
}

function commentBase(
  stamp: DeletionStamp,
  issue: CommentChange['issue'],
  comment: CommentSnapshot,
  version: number,
) {
  return {
    entity: 'comment' as const,
    site: stamp.site,
    comment,
    issue,
    version,
    source: stamp.source,
    observedAt: stamp.observedAt,
  };
}

/** Mentions in ADF carry their text; display names of the users around fill in the rest. */
function textOptions(
  raw: JiraIssue,
  stamp: SyncStamp,
  comments: readonly JiraComment[] = [],
): RichTextOptions {
  return {
    markdown: stamp.markdown,
    mentions: mentionsFrom(raw.fields.assignee, raw.fields.reporter, ...comments.map((c) => c.author)),
  };
}

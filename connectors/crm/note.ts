import { browseUrl } from '../event-identity.ts';
import { isoTime, userJson } from '../field-values.ts';
import type { CommentChange } from '../jira-change.ts';
import type { JsonObject } from '../relay-event.ts';

function commentUrl(change: CommentChange): string {
  return `${browseUrl(change.site.host, change.issue.key)}?focusedCommentId=${encodeURIComponent(change.comment.id)}`;
}

/** A CRM note from a comment; `public` is false for JSM-internal or visibility-restricted ones. */
export function noteData(change: CommentChange): JsonObject {
  const { comment, issue } = change;
  return {
    id: comment.id,
    ticketId: issue.id,
    ticketKey: issue.key,
    url: commentUrl(change),
    author: userJson(comment.author),
    text: comment.body,
    ...(comment.bodyMarkdown === undefined ? {} : { textMarkdown: comment.bodyMarkdown }),
    public: comment.public,
    created: isoTime(comment.created),
    updated: isoTime(comment.updated),
  };
}

export function deletedNoteData(change: CommentChange): JsonObject {
  return {
    id: change.comment.id,
    ticketId: change.issue.id,
    ticketKey: change.issue.key,
    deletedAt: new Date(change.version).toISOString(),
  };
}

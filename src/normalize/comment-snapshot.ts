import type { CommentSnapshot } from '../../connectors/jira-change.ts';
import {
  entityId,
  markdownText,
  plainText,
  type RichTextOptions,
  record,
  text,
  userFrom,
} from './jira-fields.ts';

/**
 * A comment (ADF body in v3, wiki string in webhooks) as a CommentSnapshot. Internal when Jira
 * Service Management marks it `jsdPublic: false` or a `visibility` restriction is set.
 */
export function commentSnapshotFrom(
  value: unknown,
  issueId: string,
  opts: RichTextOptions,
): CommentSnapshot | undefined {
  const comment = record(value);
  const id = entityId(comment?.id);
  if (!comment || !id) return undefined;
  const body = plainText(comment.body, opts) ?? '';
  const bodyMarkdown = opts.markdown ? (markdownText(comment.body, opts) ?? '') : undefined;
  const restricted = record(comment.visibility) !== undefined;
  return {
    id,
    issueId,
    author: userFrom(comment.author),
    body,
    ...(bodyMarkdown === undefined ? {} : { bodyMarkdown }),
    public: comment.jsdPublic !== false && !restricted,
    created: text(comment.created) ?? '',
    updated: text(comment.updated) ?? text(comment.created) ?? '',
  };
}

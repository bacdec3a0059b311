import type { JiraIntent } from '../../../connectors/jira-intent.ts';
import { splitStatusRefs } from '../../../connectors/reverse-status-mapping.ts';
import type { JiraCommandData } from '../command.ts';

/**
 * A Jira-shaped command as an intent, nearly one to one: fields pass as given (by id or name, the
 * writer resolves them and converts simple forms by each field's schema), `format` says what string
 * values of rich-text fields are, a transition's `to` is a status id when all digits, else a name.
 */
export function jiraCommandIntent(data: JiraCommandData): JiraIntent {
  switch (data.type) {
    case 'jira.issue.create':
      return {
        kind: 'create-issue',
        project: data.project,
        issueType: data.issueType,
        fields: data.fields,
        textFormat: data.format ?? 'text',
      };
    case 'jira.issue.update':
      return {
        kind: 'update-issue',
        issue: data.issue,
        fields: data.fields,
        textFormat: data.format ?? 'text',
        ...(data.ifUpdated === undefined ? {} : { ifUpdated: data.ifUpdated }),
      };
    case 'jira.issue.transition':
      return {
        kind: 'update-issue',
        issue: data.issue,
        fields: {},
        textFormat: 'text',
        transition: { ...splitStatusRefs([data.to]), label: `status ${JSON.stringify(data.to)}` },
        ...(data.ifUpdated === undefined ? {} : { ifUpdated: data.ifUpdated }),
      };
    case 'jira.comment.create':
      return { kind: 'create-comment', issue: data.issue, body: { text: data.body, format: data.format } };
    case 'jira.comment.update':
      return {
        kind: 'update-comment',
        issue: data.issue,
        commentId: data.commentId,
        body: { text: data.body, format: data.format },
      };
    case 'jira.comment.delete':
      return { kind: 'delete-comment', issue: data.issue, commentId: data.commentId };
  }
}

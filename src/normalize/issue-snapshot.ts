import type { IssueSnapshot } from '../../connectors/jira-change.ts';
import {
  customFieldValue,
  entityId,
  issueKey,
  markdownText,
  namedFrom,
  plainText,
  type RichTextOptions,
  record,
  statusFrom,
  stringList,
  text,
  userFrom,
} from './jira-fields.ts';

/**
 * An issue as Jira sends it (REST v3 with ADF, or a v2-shaped webhook body with wiki strings) as an
 * IssueSnapshot. Undefined when the payload lacks the id or key; trimmed issues (comment events)
 * give snapshots with the fields they have.
 */
export function issueSnapshotFrom(value: unknown, opts: RichTextOptions): IssueSnapshot | undefined {
  const issue = record(value);
  const fields = record(issue?.fields) ?? {};
  const id = entityId(issue?.id);
  const key = issueKey(issue?.key);
  if (!id || !key) return undefined;
  const project = record(fields.project);
  const projectKey = text(project?.key) ?? key.replace(/-\d+$/, '');
  const projectName = text(project?.name);
  const issueType = namedFrom(fields.issuetype) ?? { name: 'Unknown' };
  return {
    id,
    key,
    project: {
      id: text(project?.id) ?? projectKey,
      key: projectKey,
      ...(projectName === undefined ? {} : { name: projectName }),
    },
    issueType,
    summary: text(fields.summary) ?? '',
    description: plainText(fields.description, opts),
    ...(opts.markdown ? { descriptionMarkdown: markdownText(fields.description, opts) } : {}),
    status: statusFrom(fields.status),
    priority: namedFrom(fields.priority),
    assignee: userFrom(fields.assignee),
    reporter: userFrom(fields.reporter),
    labels: stringList(fields.labels),
    components: stringList(fields.components, (c) => text(record(c)?.name)),
    customFields: customFieldsFrom(fields, opts),
    created: text(fields.created) ?? '',
    updated: text(fields.updated) ?? text(fields.created) ?? '',
  };
}

function customFieldsFrom(fields: Readonly<Record<string, unknown>>, opts: RichTextOptions) {
  const out: Record<string, unknown> = {};
  for (const [id, value] of Object.entries(fields)) {
    if (id.startsWith('customfield_') && value !== null && value !== undefined) {
      out[id] = customFieldValue(value, opts);
    }
  }
  return out;
}

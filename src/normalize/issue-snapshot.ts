import type { IssueSnapshot } from '../../connectors/jira-change.ts';
import { renderFieldValue, timeTrackingFrom } from './field-render.ts';
import {
  entityId,
  issueKey,
  type Json,
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
    systemFields: systemFieldsFrom(fields, opts),
    created: text(fields.created) ?? '',
    updated: text(fields.updated) ?? text(fields.created) ?? '',
  };
}

/** Fields the snapshot has properties for, and what is not a field value (see systemFieldsFrom). */
const notSystemFields: ReadonlySet<string> = new Set([
  'summary',
  'description',
  'status',
  'priority',
  'issuetype',
  'project',
  'assignee',
  'reporter',
  'labels',
  'components',
  'created',
  'updated',
  // Comments and work logs are entities of their own (comments become notes and annotations).
  'comment',
  'worklog',
  // Each reader's own: the webhook's actor and the polling account see different values.
  'lastViewed',
]);

function customFieldsFrom(fields: Json, opts: RichTextOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [id, value] of Object.entries(fields)) {
    if (!id.startsWith('customfield_')) continue;
    const rendered = renderFieldValue(id, value, opts);
    if (rendered !== null) out[id] = rendered;
  }
  return out;
}

/** Every other built-in field the body carries, rendered; fields without a value are left out. */
function systemFieldsFrom(fields: Json, opts: RichTextOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [id, value] of Object.entries(fields)) {
    if (id.startsWith('customfield_') || notSystemFields.has(id)) continue;
    const rendered = id === 'timetracking' ? timeTrackingFrom(fields) : renderFieldValue(id, value, opts);
    if (rendered !== null) out[id] = rendered;
  }
  return out;
}

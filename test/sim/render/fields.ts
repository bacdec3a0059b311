import { CUSTOMER_FIELD, components, customerOptions, STORY_POINTS_FIELD } from '../data/catalog.ts';
import type { SimIssue } from '../model.ts';
import { renderComment } from './comment.ts';
import { type FieldDef, type FieldRenderOptions, system } from './field-def.ts';
import { renderIssueType, renderPriority, renderStatus } from './named-values.ts';
import { formatJiraDate } from './time-zone.ts';
import { type RenderView, renderUserById } from './view.ts';
import { workFieldDefs } from './work-fields.ts';

/** The site's field list: the core built-in fields, the work fields, then the custom fields. */
export const fieldDefs: readonly FieldDef[] = [
  system('summary', 'Summary', 'string', (i) => i.summary),
  system('description', 'Description', 'string', (i) => i.description),
  system('status', 'Status', 'status', (i, v) => renderStatus(i.statusId, v)),
  system('priority', 'Priority', 'priority', (i, v) => renderPriority(i.priorityId, v)),
  system('issuetype', 'Issue Type', 'issuetype', (i, v) => renderIssueType(i.issueTypeId, v), {
    clauseNames: ['issuetype', 'type'],
  }),
  system('project', 'Project', 'project', (i, v) => renderProject(i.projectId, v)),
  system('labels', 'Labels', 'array', (i) => [...i.labels]),
  system('components', 'Components', 'array', (i, v) => i.componentIds.map((id) => renderComponent(id, v)), {
    schema: { type: 'array', items: 'component', system: 'components' },
  }),
  system('assignee', 'Assignee', 'user', (i, v) => renderUserById(v, i.assigneeId)),
  system('reporter', 'Reporter', 'user', (i, v) => renderUserById(v, i.reporterId)),
  system('creator', 'Creator', 'user', (i, v) => renderUserById(v, i.creatorId)),
  system('created', 'Created', 'datetime', (i, v) => formatJiraDate(i.created, v.timeZone)),
  system('updated', 'Updated', 'datetime', (i, v) => formatJiraDate(i.updated, v.timeZone)),
  ...workFieldDefs,
  system('comment', 'Comment', 'comments-page', renderCommentPage, { navigable: false }),
  {
    id: CUSTOMER_FIELD,
    name: 'Customer',
    custom: true,
    navigable: true,
    schema: {
      type: 'option',
      custom: 'com.atlassian.jira.plugin.system.customfieldtypes:select',
      customId: 10010,
    },
    clauseNames: ['cf[10010]', 'Customer'],
    render: (i, v) => renderOption(i.custom[CUSTOMER_FIELD], v),
  },
  {
    id: STORY_POINTS_FIELD,
    name: 'Story point estimate',
    custom: true,
    navigable: true,
    schema: { type: 'number', custom: 'com.pyxis.greenhopper.jira:jsw-story-points', customId: 10016 },
    clauseNames: ['cf[10016]', 'Story point estimate'],
    render: (i) => i.custom[STORY_POINTS_FIELD] ?? null,
  },
];

export const fieldsById: ReadonlyMap<string, FieldDef> = new Map(fieldDefs.map((f) => [f.id, f]));

export function renderProject(projectId: string, view: RenderView): Record<string, unknown> | null {
  const p = view.store.site.projects.find((x) => x.id === projectId);
  if (!p) return null;
  return {
    self: `${view.base}/project/${p.id}`,
    id: p.id,
    key: p.key,
    name: p.name,
    projectTypeKey: 'software',
    simplified: false,
    avatarUrls: {
      '48x48': `${view.store.site.url}/rest/api/2/universal_avatar/view/type/project/avatar/10400`,
      '24x24': `${view.store.site.url}/rest/api/2/universal_avatar/view/type/project/avatar/10400?size=small`,
      '16x16': `${view.store.site.url}/rest/api/2/universal_avatar/view/type/project/avatar/10400?size=xsmall`,
      '32x32': `${view.store.site.url}/rest/api/2/universal_avatar/view/type/project/avatar/10400?size=medium`,
    },
  };
}

function renderComponent(id: string, view: RenderView): Record<string, unknown> {
  const c = components.find((x) => x.id === id);
  return { self: `${view.base}/component/${id}`, id, name: c?.name ?? id };
}

function renderOption(optionId: unknown, view: RenderView): Record<string, unknown> | null {
  const option = customerOptions.find((o) => o.id === optionId);
  if (!option) return null;
  return { self: `${view.base}/customFieldOption/${option.id}`, value: option.value, id: option.id };
}

function renderCommentPage(
  issue: SimIssue,
  view: RenderView,
  opts: FieldRenderOptions,
): Record<string, unknown> {
  const shown = issue.comments.slice(0, opts.commentCap);
  return {
    comments: shown.map((c) => renderComment(c, view, { issueId: issue.id })),
    self: `${view.base}/issue/${issue.id}/comment`,
    maxResults: shown.length,
    total: issue.comments.length,
    startAt: 0,
  };
}

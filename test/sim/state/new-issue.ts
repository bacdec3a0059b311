import { issueTypes } from '../data/catalog.ts';
import type { SimIssue, SimProject } from '../model.ts';
import type { SiteStore } from './site-store.ts';

/**
 * The blank issue a create starts from, once project, issue type and summary check out; the
 * caller applies the remaining fields. `project` and `issuetype` are consumed from `fields`.
 */
export function newIssue(
  store: SiteStore,
  fields: Record<string, unknown>,
  actorId: string,
  now: number,
): { issue: SimIssue; project: SimProject } | { errors: Record<string, string> } {
  const ref = (fields.project ?? {}) as { key?: unknown; id?: unknown };
  const project = store.site.projects.find((p) => p.key === ref.key || p.id === String(ref.id));
  const typeRef = (fields.issuetype ?? {}) as { id?: unknown; name?: unknown };
  const type = issueTypes.find((t) => t.id === String(typeRef.id) || t.name === typeRef.name);
  const errors: Record<string, string> = {};
  if (!project) errors.project = 'Specify a valid project ID or key';
  if (!type) errors.issuetype = 'Specify an issue type';
  if (typeof fields.summary !== 'string' || fields.summary.trim() === '')
    errors.summary = 'You must specify a summary of the issue.';
  if (!project || !type || Object.keys(errors).length > 0) return { errors };
  delete fields.project;
  delete fields.issuetype;
  const issue: SimIssue = {
    id: store.allocateIssueId(),
    key: '',
    projectId: project.id,
    issueTypeId: type.id,
    summary: '',
    description: null,
    statusId: '10000',
    priorityId: '3',
    labels: [],
    componentIds: [],
    assigneeId: null,
    reporterId: String((fields.reporter as { accountId?: unknown })?.accountId ?? actorId),
    creatorId: actorId,
    created: now,
    updated: now,
    resolutionDate: null,
    custom: {},
    comments: [],
    changelog: [],
    properties: new Map(),
  };
  return { issue, project };
}

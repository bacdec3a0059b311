import { findIssueType, findPriority, findStatus } from '../data/catalog.ts';
import type { RenderView } from './view.ts';

/** Status, priority and issue type as Jira embeds them in issues (and in linked issues). */

export function renderStatus(statusId: string, view: RenderView): Record<string, unknown> | null {
  const status = findStatus(statusId);
  if (!status) return null;
  const c = status.category;
  return {
    self: `${view.base}/status/${status.id}`,
    description: status.description,
    iconUrl: `${view.store.site.url}/images/icons/statuses/generic.png`,
    name: status.name,
    id: status.id,
    statusCategory: {
      self: `${view.base}/statuscategory/${c.id}`,
      id: c.id,
      key: c.key,
      colorName: c.colorName,
      name: c.name,
    },
  };
}

export function renderPriority(priorityId: string, view: RenderView): Record<string, unknown> | null {
  const p = findPriority(priorityId);
  if (!p) return null;
  const iconUrl = `${view.store.site.url}/images/icons/priorities/${p.name.toLowerCase()}.svg`;
  return { self: `${view.base}/priority/${p.id}`, iconUrl, name: p.name, id: p.id };
}

export function renderIssueType(typeId: string, view: RenderView): Record<string, unknown> | null {
  const t = findIssueType(typeId);
  if (!t) return null;
  return {
    self: `${view.base}/issuetype/${t.id}`,
    id: t.id,
    description: t.description,
    iconUrl: `${view.store.site.url}/rest/api/2/universal_avatar/view/type/issuetype/avatar/10318?size=medium`,
    name: t.name,
    subtask: false,
    avatarId: 10318,
    hierarchyLevel: 0,
  };
}

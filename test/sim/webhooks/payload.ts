import { findPriority, findStatus } from '../data/catalog.ts';
import type { HistoryItem, SimComment, SimIssue } from '../model.ts';
import { fieldDefs, fieldsById } from '../render/fields.ts';
import { formatJiraDate } from '../render/time-zone.ts';
import { avatarUrls, type RenderView } from '../render/view.ts';
import { adfToWiki } from '../render/wiki.ts';
import type { SimEvent } from '../state/events.ts';
import type { World } from '../state/world.ts';

const TRIMMED_FIELDS = ['summary', 'issuetype', 'project', 'assignee', 'priority', 'status'];

/**
 * The body Jira would POST for an event, rendered at the moment of the change: REST v2 shapes
 * (self links under the site's /rest/api/2, wiki-markup strings instead of ADF), a trimmed issue in
 * comment events, no top-level user in comment events.
 */
export function buildPayload(world: World, event: SimEvent): Record<string, unknown> {
  const actor = world.user(event.actorId);
  const view: RenderView = {
    world,
    store: event.store,
    base: `${event.store.site.url}/rest/api/2`,
    timeZone: actor?.timeZone ?? 'UTC',
  };
  const body: Record<string, unknown> = { timestamp: event.at, webhookEvent: event.name };
  if (event.name.startsWith('comment_')) {
    body.comment = renderWebhookComment(view, event.issue, event.comment as SimComment);
    body.issue = renderWebhookIssue(view, event.issue, TRIMMED_FIELDS);
    return body;
  }
  if (event.issueEventTypeName) body.issue_event_type_name = event.issueEventTypeName;
  if (actor) body.user = renderWebhookUser(view, actor.accountId);
  body.issue = renderWebhookIssue(
    view,
    event.issue,
    fieldDefs.filter((f) => f.id !== 'comment').map((f) => f.id),
  );
  if (event.name === 'issue_property_set' || event.name === 'issue_property_deleted') {
    const key = event.propertyKey as string;
    body.property =
      event.name === 'issue_property_set' ? { key, value: event.issue.properties.get(key) } : { key };
  }
  if (event.changelog) body.changelog = { id: event.changelog.id, items: event.changelog.items };
  if (event.name === 'jira:issue_created')
    body.changelog = { id: String(event.at % 100000), items: creationItems(world, event.issue) };
  if (event.comment) body.comment = renderWebhookComment(view, event.issue, event.comment);
  return body;
}

function renderWebhookUser(view: RenderView, accountId: string | null): Record<string, unknown> | null {
  const user = accountId ? view.world.user(accountId) : undefined;
  if (!user) return null;
  return {
    self: `${view.base}/user?accountId=${user.accountId}`,
    accountId: user.accountId,
    avatarUrls: avatarUrls(user.displayName),
    displayName: user.displayName,
    active: true,
    timeZone: user.timeZone,
    accountType: 'atlassian',
  };
}

function renderWebhookIssue(
  view: RenderView,
  issue: SimIssue,
  ids: readonly string[],
): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const id of ids) {
    const def = fieldsById.get(id);
    if (!def) continue;
    if (id === 'description') fields.description = issue.description ? adfToWiki(issue.description) : null;
    else if (def.schema.type === 'user')
      fields[id] = renderWebhookUser(
        view,
        def.id === 'assignee' ? issue.assigneeId : def.id === 'reporter' ? issue.reporterId : issue.creatorId,
      );
    else fields[id] = def.render(issue, view, { commentCap: 0 });
  }
  return { id: issue.id, self: `${view.base}/issue/${issue.id}`, key: issue.key, fields };
}

function renderWebhookComment(
  view: RenderView,
  issue: SimIssue,
  comment: SimComment,
): Record<string, unknown> {
  return {
    self: `${view.base}/issue/${issue.id}/comment/${comment.id}`,
    id: comment.id,
    author: renderWebhookUser(view, comment.authorId),
    body: adfToWiki(comment.body),
    updateAuthor: renderWebhookUser(view, comment.updateAuthorId),
    created: formatJiraDate(comment.created, view.timeZone),
    updated: formatJiraDate(comment.updated, view.timeZone),
    jsdPublic: true,
  };
}

/** jira:issue_created carries the initial values as a changelog too (see the real example). */
function creationItems(world: World, issue: SimIssue): HistoryItem[] {
  const items: HistoryItem[] = [];
  const add = (field: string, to: string | null, toText: string | null) =>
    items.push({
      field,
      fieldtype: 'jira',
      fieldId: field.toLowerCase(),
      from: null,
      fromString: null,
      to,
      toString: toText,
    });
  if (issue.description) add('description', null, adfToWiki(issue.description));
  add('priority', issue.priorityId, findPriority(issue.priorityId)?.name ?? null);
  add('reporter', issue.reporterId, world.user(issue.reporterId)?.displayName ?? null);
  add('Status', issue.statusId, findStatus(issue.statusId)?.name ?? null);
  add('summary', null, issue.summary);
  return items;
}

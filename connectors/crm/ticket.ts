import type { ResolvedMapping } from '../config/resolve-field-names.ts';
import { browseUrl } from '../event-identity.ts';
import { fieldValue, isoTime, mappedFields, userJson } from '../field-values.ts';
import type { IssueChange } from '../jira-change.ts';
import { mappedStatus, severityOf } from '../mapping-lookups.ts';
import type { JsonObject } from '../relay-event.ts';

/** Targets that become top-level ticket properties instead of entries of `fields`. */
const topLevelTargets = ['customer', 'organization'] as const;

/**
 * A CRM ticket: who, what, where it stands. `status` is the mapped status (many-to-one) or Jira's
 * own name when no mapping names it; `jiraStatus` and `statusCategory` keep Jira's view.
 */
export function ticketData(change: IssueChange, mapping: ResolvedMapping): JsonObject {
  const { issue } = change;
  const mappedTarget = (target: string) => {
    const id = mapping.fields[target];
    return id === undefined ? null : fieldValue(issue, id);
  };
  return {
    id: issue.id,
    key: issue.key,
    ...(change.previousKey === undefined ? {} : { previousKey: change.previousKey }),
    url: browseUrl(change.site.host, issue.key),
    project: { id: issue.project.id, key: issue.project.key, name: issue.project.name ?? null },
    issueType: issue.issueType.name,
    title: issue.summary,
    description: issue.description,
    ...(issue.descriptionMarkdown === undefined ? {} : { descriptionMarkdown: issue.descriptionMarkdown }),
    status: mappedStatus(issue, mapping) ?? issue.status.name,
    jiraStatus: issue.status.name,
    statusCategory: issue.status.category,
    priority: issue.priority?.name ?? null,
    severity: severityOf(issue, mapping),
    assignee: userJson(issue.assignee),
    reporter: userJson(issue.reporter),
    labels: [...issue.labels],
    components: [...issue.components],
    customer: mappedTarget('customer'),
    organization: mappedTarget('organization'),
    fields: mappedFields(issue, mapping, topLevelTargets),
    created: isoTime(issue.created),
    updated: isoTime(issue.updated),
  };
}

export function deletedTicketData(change: IssueChange): JsonObject {
  return { id: change.issue.id, key: change.issue.key, deletedAt: new Date(change.version).toISOString() };
}

import type { Severity } from '../config/connectors-config-schema.ts';
import type { ResolvedMapping } from '../config/resolve-field-names.ts';
import { browseUrl } from '../event-identity.ts';
import { mappedFields, userJson } from '../field-values.ts';
import type { CommentChange, IssueSnapshot, SiteRef } from '../jira-change.ts';
import type { JsonObject } from '../relay-event.ts';
import type { IncidentAction, Transition } from './lifecycle.ts';

/** One incident per issue on a site, whatever its key becomes after moves. */
function dedupKey(site: SiteRef, issueId: string): string {
  return `jira-relay:${site.host}:${issueId}`;
}

/** PagerDuty caps `payload.summary` at 1024 characters. */
function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function links(site: SiteRef, key: string): JsonObject[] {
  return [{ href: browseUrl(site.host, key), text: `${key} in Jira` }];
}

export interface TriggerInput {
  readonly site: SiteRef;
  readonly issue: IssueSnapshot;
  readonly severity: Severity;
  readonly time: string;
  readonly transition: Transition;
  readonly mapping: ResolvedMapping;
}

/**
 * PagerDuty Events API v2 bodies, less the `routing_key` a sink adds: a sink forwards `data` as is.
 * Only triggers carry a payload; acknowledge and resolve need just the dedup key.
 */
export function incidentEvent(action: IncidentAction, input: TriggerInput): JsonObject {
  const { site, issue } = input;
  const base = { event_action: action, dedup_key: dedupKey(site, issue.id) };
  if (action !== 'trigger') return base;
  const component = issue.components[0];
  return {
    ...base,
    payload: {
      summary: truncate(`[${issue.key}] ${issue.summary}`, 1024),
      source: site.host,
      severity: input.severity,
      timestamp: input.time,
      ...(component === undefined ? {} : { component }),
      group: issue.project.key,
      class: issue.issueType.name,
      custom_details: {
        issue_id: issue.id,
        issue_key: issue.key,
        status: issue.status.name,
        status_category: issue.status.category,
        priority: issue.priority?.name ?? null,
        assignee: userJson(issue.assignee),
        reporter: userJson(issue.reporter),
        labels: [...issue.labels],
        components: [...issue.components],
        description: issue.description === null ? null : truncate(issue.description, 4000),
        transition: { from: input.transition.from, to: input.transition.to },
        fields: mappedFields(issue, input.mapping),
      },
    },
    links: links(site, issue.key),
    client: 'Jira',
    client_url: browseUrl(site.host, issue.key),
  };
}

/**
 * A comment as an annotation: PagerDuty's change-event shape (`payload.summary/source/timestamp/
 * custom_details`, `links`) with the incident's dedup key, since Events v2 has no annotate action.
 */
export function annotationEvent(change: CommentChange, time: string): JsonObject {
  const { comment, issue, site } = change;
  const author = comment.author?.displayName ?? comment.author?.accountId ?? 'someone';
  return {
    dedup_key: dedupKey(site, issue.id),
    payload: {
      summary: truncate(`[${issue.key}] ${author}: ${comment.body.replace(/\s+/g, ' ')}`, 1024),
      source: site.host,
      timestamp: time,
      custom_details: {
        issue_id: issue.id,
        issue_key: issue.key,
        comment_id: comment.id,
        author: userJson(comment.author),
        text: comment.body,
        public: comment.public,
      },
    },
    links: links(site, issue.key),
  };
}

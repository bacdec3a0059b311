import type { ResolvedMapping } from '../config/resolve-field-names.ts';
import type { JiraIntent, TransitionTarget } from '../jira-intent.ts';
import type { JsonValue } from '../relay-event.ts';
import { jiraStatusesMappedTo, splitStatusRefs, statusTargets } from '../reverse-status-mapping.ts';

/** `crm.ticket.update`: the ticket's fields in the CRM connector's terms; each but `issue` optional. */
export interface CrmTicketUpdateCommand {
  readonly type: 'crm.ticket.update';
  readonly issue: string;
  /** A CRM status (a target of the connector's `statuses`) or a Jira status name no list names. */
  readonly status?: string;
  readonly title?: string;
  /** Plain text; an empty or blank text clears the description. */
  readonly description?: string;
  /** A Jira priority name, as ticket events carry it. */
  readonly priority?: string;
  readonly ifUpdated?: string;
}

/** `crm.note.create`: a note on the ticket becomes a comment on the issue. */
export interface CrmNoteCreateCommand {
  readonly type: 'crm.note.create';
  readonly issue: string;
  /** Plain text. */
  readonly body: string;
  /** False asks for an internal note; see `JiraIntent` `create-comment` for what Jira can do with it. */
  readonly public?: boolean;
}

/** The data of the commands a CRM sends, mapped back through the CRM connector's settings. */
export type CrmCommandData = CrmTicketUpdateCommand | CrmNoteCreateCommand;

/**
 * A CRM command as a Jira intent. A status becomes a transition through the reverse of the status
 * mapping: every Jira status mapped to that CRM status is a candidate. A status the mapping does not
 * name as a target is taken as a Jira status name, as ticket events show such statuses by their Jira
 * name; the transition's label then lists the CRM statuses that exist. A title becomes `summary`, a
 * description the `description` text, a priority Jira's priority by name: the connectors file maps
 * priorities only to severities (many-to-one), which cannot be read backwards into one priority.
 */
export function crmCommandIntent(data: CrmCommandData, mapping: ResolvedMapping): JiraIntent {
  if (data.type === 'crm.note.create') {
    return {
      kind: 'create-comment',
      issue: data.issue,
      body: { text: data.body, format: 'text' },
      ...(data.public === undefined ? {} : { public: data.public }),
    };
  }
  const fields: Record<string, JsonValue> = {};
  if (data.title !== undefined) fields.summary = data.title;
  if (data.description !== undefined)
    fields.description = data.description.trim() === '' ? null : data.description;
  if (data.priority !== undefined) fields.priority = { name: data.priority };
  return {
    kind: 'update-issue',
    issue: data.issue,
    fields,
    textFormat: 'text',
    ...(data.status === undefined ? {} : { transition: crmStatusTarget(data.status, mapping) }),
    ...(data.ifUpdated === undefined ? {} : { ifUpdated: data.ifUpdated }),
  };
}

/** The Jira statuses a CRM status stands for: exact target first, else the target ignoring case. */
function crmStatusTarget(status: string, mapping: ResolvedMapping): TransitionTarget {
  const targets = statusTargets(mapping);
  const target =
    targets.find((t) => t === status) ?? targets.find((t) => t.toLowerCase() === status.toLowerCase());
  if (target !== undefined) {
    const refs = splitStatusRefs(jiraStatusesMappedTo(mapping, target));
    return { ...refs, label: `CRM status ${JSON.stringify(target)}` };
  }
  const known = targets.length === 0 ? '' : ` (CRM statuses: ${targets.join(', ')})`;
  return { ...splitStatusRefs([status]), label: `Jira status ${JSON.stringify(status)}${known}` };
}

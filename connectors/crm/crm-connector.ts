import type { ResolvedMapping } from '../config/resolve-field-names.ts';
import { buildEvent } from '../event-identity.ts';
import { filterOut } from '../filter.ts';
import type { JiraChange } from '../jira-change.ts';
import { type Connector, type ConnectorResult, skip } from '../relay-event.ts';
import { deletedNoteData, noteData } from './note.ts';
import { deletedTicketData, ticketData } from './ticket.ts';

const CRM = 'crm';

/**
 * Issues become tickets, comments become notes; every change of either is an upsert or a delete,
 * so a CRM sink can apply events idempotently by id (and drop repeats by `ce_id`).
 */
export function mapToCrm(change: JiraChange, mapping: ResolvedMapping, _now: Date): ConnectorResult {
  const excluded = filterOut(change, mapping.filter);
  if (excluded !== undefined) return skip(excluded);
  const spec = (type: string, data: ReturnType<typeof ticketData>) =>
    buildEvent(change, { connector: CRM, type, topic: mapping.topic, data });
  if (change.entity === 'issue') {
    const event =
      change.kind === 'deleted'
        ? spec('crm.ticket.deleted', deletedTicketData(change))
        : spec('crm.ticket.upserted', ticketData(change, mapping));
    return { kind: 'events', events: [event] };
  }
  const event =
    change.kind === 'deleted'
      ? spec('crm.note.deleted', deletedNoteData(change))
      : spec('crm.note.upserted', noteData(change));
  return { kind: 'events', events: [event] };
}

export const crmConnector: Connector<ResolvedMapping> = { name: CRM, map: mapToCrm };

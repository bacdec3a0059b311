import { z } from 'zod';
import type { CrmNoteCreateCommand, CrmTicketUpdateCommand } from '../../../connectors/crm/crm-command.ts';
import type {
  MonitoringIncidentAnnotateCommand,
  MonitoringIncidentStateCommand,
} from '../../../connectors/monitoring/monitoring-command.ts';
import {
  bodySchema,
  ifUpdatedSchema,
  issueRefSchema,
  maxTextLength,
  nameSchema,
} from './command-data-fields.ts';

/**
 * The data of each connector-shaped command, in the connector's terms (crm/, monitoring/ under
 * connectors/ own the shapes and map them back). Objects are strict, like the Jira-shaped ones.
 */

type DataOf<D extends { type: string }> = Omit<D, 'type'>;

const ticketChanges = ['status', 'title', 'description', 'priority'] as const;

/** `crm.ticket.update`: at least one of status, title, description, priority. */
export const crmTicketUpdateSchema = z
  .strictObject({
    issue: issueRefSchema,
    /** A CRM status, or a Jira status name the CRM mapping does not name. */
    status: nameSchema.exactOptional(),
    title: nameSchema.exactOptional(),
    /** Plain text; empty clears the description. */
    description: z.string().max(maxTextLength, `at most ${maxTextLength} characters`).exactOptional(),
    /** A Jira priority name. */
    priority: nameSchema.exactOptional(),
    ifUpdated: ifUpdatedSchema,
  })
  .refine((data) => ticketChanges.some((key) => data[key] !== undefined), {
    message: `needs at least one of ${ticketChanges.join(', ')}`,
  }) satisfies z.ZodType<DataOf<CrmTicketUpdateCommand>>;

/** `crm.note.create`: a plain-text note, public unless `public: false`. */
export const crmNoteCreateSchema = z.strictObject({
  issue: issueRefSchema,
  body: bodySchema,
  /** False asks for an internal note. */
  public: z.boolean().exactOptional(),
}) satisfies z.ZodType<DataOf<CrmNoteCreateCommand>>;

/** Acknowledge and resolve carry only the issue. */
export const monitoringIncidentStateSchema = z.strictObject({
  issue: issueRefSchema,
}) satisfies z.ZodType<DataOf<MonitoringIncidentStateCommand>>;

/** `monitoring.incident.annotate`: a plain-text note on the incident. */
export const monitoringIncidentAnnotateSchema = z.strictObject({
  issue: issueRefSchema,
  body: bodySchema,
}) satisfies z.ZodType<DataOf<MonitoringIncidentAnnotateCommand>>;

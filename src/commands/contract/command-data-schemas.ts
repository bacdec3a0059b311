import type { z } from 'zod';
import type { CommandType } from '../command.ts';
import {
  crmNoteCreateSchema,
  crmTicketUpdateSchema,
  monitoringIncidentAnnotateSchema,
  monitoringIncidentStateSchema,
} from './connector-command-schemas.ts';
import {
  jiraCommentCreateSchema,
  jiraCommentDeleteSchema,
  jiraCommentUpdateSchema,
  jiraIssueCreateSchema,
  jiraIssueTransitionSchema,
  jiraIssueUpdateSchema,
} from './jira-command-schemas.ts';

/**
 * One zod schema per command type for the message value (the CloudEvent's data). The JSON Schemas
 * in docs/schemas/commands/<type>.json describe the same shapes for senders.
 */
export const commandDataSchemas = {
  'jira.issue.create': jiraIssueCreateSchema,
  'jira.issue.update': jiraIssueUpdateSchema,
  'jira.issue.transition': jiraIssueTransitionSchema,
  'jira.comment.create': jiraCommentCreateSchema,
  'jira.comment.update': jiraCommentUpdateSchema,
  'jira.comment.delete': jiraCommentDeleteSchema,
  'crm.ticket.update': crmTicketUpdateSchema,
  'crm.note.create': crmNoteCreateSchema,
  'monitoring.incident.acknowledge': monitoringIncidentStateSchema,
  'monitoring.incident.resolve': monitoringIncidentStateSchema,
  'monitoring.incident.annotate': monitoringIncidentAnnotateSchema,
} as const satisfies Record<CommandType, z.ZodType>;

/** The keys a command type's data may carry, for the reason that names an unknown one. */
export function knownDataKeys(type: CommandType): string[] {
  const schema = commandDataSchemas[type];
  return Object.keys('shape' in schema ? schema.shape : {});
}

import type { ResolvedMapping } from '../../../connectors/config/resolve-field-names.ts';
import { crmCommandIntent } from '../../../connectors/crm/crm-command.ts';
import type { IntentError, JiraIntent } from '../../../connectors/jira-intent.ts';
import { monitoringCommandIntent } from '../../../connectors/monitoring/monitoring-command.ts';
import type { CommandConnector, CommandData, JiraCommandData } from '../command.ts';
import { jiraCommandIntent } from './jira-command-intent.ts';

/** The resolved mappings of the connectors enabled for the command's site. */
export type CommandMappings = Readonly<Partial<Record<CommandConnector, ResolvedMapping>>>;

function isJiraCommand(data: CommandData): data is JiraCommandData {
  return data.type.startsWith('jira.');
}

/**
 * Any command as the writer's intent: Jira-shaped ones directly, connector-shaped ones through
 * their connector's mapping for the site. A connector-shaped command whose connector is not enabled
 * there cannot be mapped: an error for a `rejected` result.
 */
export function commandIntent(data: CommandData, mappings: CommandMappings): JiraIntent | IntentError {
  if (isJiraCommand(data)) return jiraCommandIntent(data);
  if (data.type === 'crm.ticket.update' || data.type === 'crm.note.create') {
    return mappings.crm ? crmCommandIntent(data, mappings.crm) : notEnabled('crm', data.type);
  }
  return mappings.monitoring
    ? monitoringCommandIntent(data, mappings.monitoring)
    : notEnabled('monitoring', data.type);
}

function notEnabled(connector: CommandConnector, type: string): IntentError {
  return { error: `${type} needs the ${connector} connector, which is not enabled in the connectors file` };
}

import { type ConnectorsConfig, connectorsConfigSchema } from './connectors-config-schema.ts';

/**
 * The standard fields: Jira built-in fields that tickets and incidents carry under `fields` when no
 * connectors file says otherwise (what the event has as properties already, such as status,
 * priority, assignee, labels and components, is not repeated). Given by id, which is the same on
 * every site, so no site's field list has to be read for them.
 */
export const standardFields = {
  dueDate: { id: 'duedate' },
  resolution: { id: 'resolution' },
  resolvedAt: { id: 'resolutiondate' },
  fixVersions: { id: 'fixVersions' },
  affectsVersions: { id: 'versions' },
  parent: { id: 'parent' },
  links: { id: 'issuelinks' },
  timeTracking: { id: 'timetracking' },
  environment: { id: 'environment' },
  creator: { id: 'creator' },
} as const;

/**
 * What the relay runs without CONNECTORS_CONFIG: both connectors on their default topics, no
 * filters (every change goes to both), the standard fields, and the default status and severity
 * mappings. config/connectors.example.yaml shows everything a file can change.
 */
export function defaultConnectorsConfig(): ConnectorsConfig {
  return connectorsConfigSchema.parse({
    connectors: { crm: { fields: standardFields }, monitoring: { fields: standardFields } },
  });
}

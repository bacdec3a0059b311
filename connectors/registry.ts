import type { ConnectorSettings, ConnectorsConfig } from './config/connectors-config-schema.ts';
import type { ResolvedMapping } from './config/resolve-field-names.ts';
import { crmConnector } from './crm/crm-connector.ts';
import { monitoringConnector } from './monitoring/monitoring-connector.ts';
import type { Connector } from './relay-event.ts';

/** Every connector the relay knows, by the name used in the connectors file. */
export const connectorRegistry = {
  crm: crmConnector,
  monitoring: monitoringConnector,
} as const satisfies Record<string, Connector<ResolvedMapping>>;

type ConnectorName = keyof typeof connectorRegistry;

export interface EnabledConnector {
  readonly name: ConnectorName;
  readonly connector: Connector<ResolvedMapping>;
  readonly settings: ConnectorSettings;
}

/** The connectors the file enables, in registry order; each change goes to every one of them. */
export function enabledConnectors(config: ConnectorsConfig): EnabledConnector[] {
  return (Object.keys(connectorRegistry) as ConnectorName[]).flatMap((name) => {
    const settings = config.connectors[name];
    return settings?.enabled ? [{ name, connector: connectorRegistry[name], settings }] : [];
  });
}

/** The topics enabled connectors publish to, for the topic admin at start-up. */
export function connectorTopics(config: ConnectorsConfig): string[] {
  return [...new Set(enabledConnectors(config).map((c) => c.settings.topic))];
}

import { describe, expect, it } from 'vitest';
import { parseConnectorsConfig } from '../../../connectors/config/parse-connectors-config.ts';
import { connectorRegistry, connectorTopics, enabledConnectors } from '../../../connectors/registry.ts';

function config(yaml: string) {
  const result = parseConnectorsConfig(yaml);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.config;
}

describe('the connector registry', () => {
  it('knows crm and monitoring by the names of the connectors file', () => {
    expect(Object.keys(connectorRegistry)).toEqual(['crm', 'monitoring']);
    expect(connectorRegistry.crm.name).toBe('crm');
    expect(connectorRegistry.monitoring.name).toBe('monitoring');
  });

  it('returns the enabled connectors only, with their settings', () => {
    const enabled = enabledConnectors(config('connectors:\n  crm: {}\n  monitoring: { enabled: false }\n'));
    expect(enabled.map((c) => c.name)).toEqual(['crm']);
    expect(enabled[0]?.settings.topic).toBe('jira.crm.events');
    expect(enabledConnectors(config('connectors: {}\n'))).toEqual([]);
  });

  it('lists each topic once for the topic admin', () => {
    expect(connectorTopics(config('connectors:\n  crm: {}\n  monitoring: {}\n'))).toEqual([
      'jira.crm.events',
      'jira.monitoring.events',
    ]);
    expect(
      connectorTopics(config('connectors:\n  crm: { topic: shared }\n  monitoring: { topic: shared }\n')),
    ).toEqual(['shared']);
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  defaultConnectorsConfig,
  standardFields,
} from '../../../../connectors/config/default-connectors-config.ts';
import { parseConnectorsConfig } from '../../../../connectors/config/parse-connectors-config.ts';
import { resolveFieldNames } from '../../../../connectors/config/resolve-field-names.ts';
import { mapToCrm } from '../../../../connectors/crm/crm-connector.ts';
import { mapToMonitoring } from '../../../../connectors/monitoring/monitoring-connector.ts';
import { connectorTopics, enabledConnectors } from '../../../../connectors/registry.ts';
import { loadConnectorsConfig } from '../../../../src/composition/connectors-file.ts';
import { commentChange, issue, issueChange } from '../../../helpers/connector-fixtures.ts';

const now = new Date('2030-01-01T00:00:00.000Z');

describe('the built-in default (no CONNECTORS_CONFIG)', () => {
  it('is what loading without a path gives', async () => {
    expect(await loadConnectorsConfig(undefined)).toEqual({ ok: true, config: defaultConnectorsConfig() });
  });

  it('enables both connectors on their default topics, without filters', () => {
    const config = defaultConnectorsConfig();
    expect(enabledConnectors(config).map((c) => c.name)).toEqual(['crm', 'monitoring']);
    expect(connectorTopics(config)).toEqual(['jira.crm.events', 'jira.monitoring.events']);
    for (const settings of Object.values(config.connectors)) {
      expect(settings?.filter).toEqual({ projects: [], issueTypes: [], labels: [] });
      expect(settings?.fields).toEqual(standardFields);
    }
  });

  it('maps the standard fields by id, with no field list to read', () => {
    const crm = defaultConnectorsConfig().connectors.crm;
    if (!crm) throw new Error('no crm');
    const { mapping, problems } = resolveFieldNames(crm, []);
    expect(problems).toEqual([]);
    expect(mapping.fields).toMatchObject({
      dueDate: 'duedate',
      parent: 'parent',
      timeTracking: 'timetracking',
    });
  });

  it('publishes a change of any project and type on both connectors', () => {
    const config = defaultConnectorsConfig();
    const [crm, monitoring] = enabledConnectors(config).map((c) => resolveFieldNames(c.settings, []).mapping);
    if (!crm || !monitoring) throw new Error('both connectors expected');
    const odd = issueChange({
      kind: 'created',
      issue: issue({
        key: 'ZZZ-1',
        project: { id: '1', key: 'ZZZ' },
        issueType: { name: 'Anything' },
        labels: [],
      }),
    });
    const ticket = mapToCrm(odd, crm, now);
    expect(ticket.kind === 'events' && ticket.events[0]?.topic).toBe('jira.crm.events');
    const incident = mapToMonitoring(odd, monitoring, now);
    expect(incident.kind === 'events' && incident.events[0]?.topic).toBe('jira.monitoring.events');
    expect(mapToCrm(commentChange(), crm, now).kind).toBe('events');
  });

  it('matches the standard fields the example file says it shows', () => {
    const text = readFileSync(
      path.resolve(import.meta.dirname, '../../../../config/connectors.example.yaml'),
      'utf8',
    );
    const parsed = parseConnectorsConfig(text);
    if (!parsed.ok || !parsed.config.connectors.crm) throw new Error('the example does not parse');
    const resolved = resolveFieldNames(parsed.config.connectors.crm, [
      { id: 'environment', name: 'Environment' },
    ]);
    for (const [target, { id }] of Object.entries(standardFields))
      expect(resolved.mapping.fields[target], target).toBe(id);
  });
});

import { describe, expect, it } from 'vitest';
import { parseConnectorsConfig } from '../../../../connectors/config/parse-connectors-config.ts';
import { resolveFieldNames } from '../../../../connectors/config/resolve-field-names.ts';

/** A site's field list as `GET /rest/api/3/field` gives it (names are not unique). */
const siteFields = [
  { id: 'summary', name: 'Summary' },
  { id: 'duedate', name: 'Due date' },
  { id: 'customfield_10050', name: 'Customer' },
  { id: 'customfield_10051', name: 'Region' },
  { id: 'customfield_10060', name: 'Team' },
  { id: 'customfield_10061', name: 'Team' },
];

function crmSettings(yaml: string) {
  const result = parseConnectorsConfig(`connectors:\n  crm:\n${yaml}`);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  const crm = result.config.connectors.crm;
  if (!crm) throw new Error('no crm');
  return crm;
}

describe('resolving field names per site', () => {
  it('resolves ids, names, names in any case, and explicit { id } / { name }', () => {
    const settings = crmSettings(
      [
        '    fields:',
        '      customer: Customer',
        '      region: { name: region }',
        '      due: duedate',
        '      team: { id: customfield_10061 }',
        '      legacy: customfield_99999',
      ].join('\n'),
    );
    const { mapping, problems } = resolveFieldNames(settings, siteFields);
    expect(problems).toEqual([]);
    expect(mapping.fields).toEqual({
      customer: 'customfield_10050',
      region: 'customfield_10051',
      due: 'duedate',
      team: 'customfield_10061',
      legacy: 'customfield_99999',
    });
  });

  it('refuses to guess between fields that share a name, and reports names the site lacks', () => {
    const settings = crmSettings(
      '    fields:\n      team: Team\n      tier: { name: Tier }\n      ok: Summary\n',
    );
    const { mapping, problems } = resolveFieldNames(settings, siteFields);
    expect(problems).toEqual([
      'fields.team: "Team" names 2 fields (customfield_10060, customfield_10061); use { id: ... }',
      'fields.tier: no field named "Tier" on this site',
    ]);
    expect(mapping.fields).toEqual({ ok: 'summary' });
  });

  it('takes Jira built-in field ids as ids without the site’s field list, and built-in names through it', () => {
    const settings = crmSettings(
      [
        '    fields:',
        '      due: duedate',
        '      versions: fixVersions',
        '      epic: parent',
        '      estimate: timetracking',
        '      dueByName: Due date',
      ].join('\n'),
    );
    const offline = resolveFieldNames(settings, []);
    expect(offline.mapping.fields).toEqual({
      due: 'duedate',
      versions: 'fixVersions',
      epic: 'parent',
      estimate: 'timetracking',
    });
    expect(offline.problems).toEqual(['fields.dueByName: no field named "Due date" on this site']);
    expect(resolveFieldNames(settings, siteFields).mapping.fields.dueByName).toBe('duedate');
  });

  it('refuses fields that carry no value for an event, saying why', () => {
    const settings = crmSettings('    fields:\n      notes: comment\n      seen: { id: lastViewed }\n');
    const { mapping, problems } = resolveFieldNames(settings, siteFields);
    expect(mapping.fields).toEqual({});
    expect(problems).toEqual([
      'fields.notes: comment: comments are published as events of their own (notes, annotations), not as a field',
      'fields.seen: lastViewed: each reader sees its own value, so webhooks and polls would disagree',
    ]);
  });

  it('turns filter, status and severity lists into case-insensitive lookups', () => {
    const settings = crmSettings(
      [
        '    filter: { projects: [ops], issueTypes: [Bug], labels: [VIP] }',
        '    statuses: { open: [To Do, "10001"], closed: [Done] }',
        '    severities: { critical: [Highest], info: [Low] }',
        '    defaultSeverity: error',
      ].join('\n'),
    );
    const { mapping } = resolveFieldNames(settings, []);
    expect([...mapping.filter.projects]).toEqual(['OPS']);
    expect([...mapping.filter.issueTypes]).toEqual(['bug']);
    expect([...mapping.filter.labels]).toEqual(['VIP']);
    expect(Object.fromEntries(mapping.statuses)).toEqual({
      'to do': 'open',
      '10001': 'open',
      done: 'closed',
    });
    expect(Object.fromEntries(mapping.severities)).toEqual({ highest: 'critical', low: 'info' });
    expect(mapping.defaultSeverity).toBe('error');
    expect(mapping.topic).toBe('jira.crm.events');
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatPath, parseConnectorsConfig } from '../../../../connectors/config/parse-connectors-config.ts';
import { loadConnectorsConfig } from '../../../../src/composition/connectors-file.ts';

const example = path.resolve(import.meta.dirname, '../../../../config/connectors.example.yaml');

function problems(yaml: string): readonly string[] {
  const result = parseConnectorsConfig(yaml);
  if (result.ok) throw new Error('expected problems');
  return result.problems;
}

describe('the example connectors file', () => {
  it('parses, with both connectors enabled and every section read', async () => {
    const result = await loadConnectorsConfig(example);
    if (!result.ok) throw new Error(result.problems.join('\n'));
    const { crm, monitoring } = result.config.connectors;
    expect(crm?.enabled).toBe(true);
    expect(crm?.topic).toBe('jira.crm.events');
    expect(crm?.filter.projects).toEqual(['SUP', 'OPS']);
    expect(crm?.fields.customer).toBe('Customer');
    expect(crm?.fields.organization).toEqual({ id: 'customfield_10002' });
    expect(crm?.fields.environment).toEqual({ name: 'Environment' });
    expect(crm?.statuses.closed).toContain("Won't Do");
    expect(monitoring?.statuses).toEqual({ acknowledged: ['Monitoring fix'], resolved: ['Cancelled'] });
    expect(monitoring?.filter.labels).toEqual([]);
  });
});

describe('defaults', () => {
  it('fills topic, filter, mapping and severities for a connector given as an empty object', () => {
    const result = parseConnectorsConfig('connectors:\n  crm: {}\n  monitoring: {enabled: false}\n');
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.config.connectors.crm).toEqual({
      enabled: true,
      topic: 'jira.crm.events',
      filter: { projects: [], issueTypes: [], labels: [] },
      fields: {},
      statuses: {},
      severities: {
        critical: ['Highest', 'Blocker'],
        error: ['High', 'Critical'],
        warning: ['Medium', 'Major'],
        info: ['Low', 'Lowest', 'Minor', 'Trivial'],
      },
      defaultSeverity: 'warning',
    });
    expect(result.config.connectors.monitoring?.topic).toBe('jira.monitoring.events');
    expect(result.config.connectors.monitoring?.enabled).toBe(false);
  });
});

describe('a bad file names the place inside it', () => {
  it.each([
    [
      'a wrong item in a list',
      'connectors:\n  crm:\n    filter:\n      projects: [OPS, 12]\n',
      'connectors.crm.filter.projects[1]: expected string',
    ],
    [
      'an empty name',
      'connectors:\n  crm:\n    filter:\n      labels: ["  "]\n',
      'connectors.crm.filter.labels[0]: must not be empty',
    ],
    [
      'a misspelt key',
      'connectors:\n  crm:\n    filter:\n      issuetypes: [Bug]\n',
      'connectors.crm.filter.issuetypes: unknown key',
    ],
    [
      'an unknown connector',
      'connectors:\n  salesforce: {}\n',
      'connectors.salesforce: unknown key (known connectors: crm, monitoring)',
    ],
    ['a missing connectors section', 'crm: {}\n', 'connectors: expected object'],
    ['an empty file', '', 'connectors: expected object'],
    [
      'a bad topic',
      'connectors:\n  crm:\n    topic: "has space"\n',
      'connectors.crm.topic: a Kafka topic name: letters, digits, `.`, `_`, `-`, at most 249',
    ],
    [
      'enabled that is not a boolean',
      'connectors:\n  crm:\n    enabled: "yes"\n',
      'connectors.crm.enabled: expected boolean',
    ],
    [
      'a bad severity',
      'connectors:\n  crm:\n    defaultSeverity: high\n',
      'connectors.crm.defaultSeverity: expected one of "critical", "error", "warning", "info"',
    ],
    [
      'a field reference of the wrong shape',
      'connectors:\n  crm:\n    fields:\n      customer: { key: x }\n',
      'connectors.crm.fields.customer: expected a field id or name, or { id } or { name }',
    ],
    [
      'a status mapped twice',
      'connectors:\n  crm:\n    statuses:\n      open: [To Do]\n      closed: [Done, to do]\n',
      'connectors.crm.statuses.closed[1]: "to do" is already mapped to open',
    ],
    [
      'a priority mapped twice',
      'connectors:\n  monitoring:\n    severities:\n      critical: [Highest]\n      info: [Highest]\n',
      'connectors.monitoring.severities.info[0]: "Highest" is already mapped to critical',
    ],
  ])('%s', (_name, yaml, expected) => {
    expect(problems(yaml)).toContain(expected);
  });

  it('rejects monitoring status targets that are not lifecycle states', () => {
    const found = problems('connectors:\n  monitoring:\n    statuses:\n      closed: [Done]\n');
    expect(found.join('\n')).toMatch(/^connectors\.monitoring\.statuses.*closed/m);
  });

  it('rejects target field names that cannot be JSON property names we promise', () => {
    const found = problems('connectors:\n  crm:\n    fields:\n      "bad name": Customer\n');
    expect(found.join('\n')).toMatch(/^connectors\.crm\.fields.*letters, digits and `_`/m);
  });

  it('reports every problem at once', () => {
    const found = problems('connectors:\n  crm:\n    enabled: 1\n    topic: "a b"\n');
    expect(found).toHaveLength(2);
  });

  it('reports YAML syntax errors with line and column', () => {
    const found = problems('connectors:\n  crm:\n    filter: [unclosed\n');
    expect(found[0]).toMatch(/^line \d+, column \d+: /);
  });

  it('formats paths the way the file reads', () => {
    expect(formatPath(['connectors', 'crm', 'filter', 'projects', 1])).toBe(
      'connectors.crm.filter.projects[1]',
    );
    expect(formatPath([])).toBe('(file)');
  });
});

describe('loading the file', () => {
  it('names the file in every problem', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'connectors-'));
    const file = path.join(dir, 'connectors.yaml');
    writeFileSync(file, 'connectors:\n  crm:\n    enabled: maybe\n');
    const result = await loadConnectorsConfig(file);
    expect(result).toEqual({ ok: false, problems: [`${file}: connectors.crm.enabled: expected boolean`] });
  });

  it('says when the file cannot be read', async () => {
    const result = await loadConnectorsConfig('/nonexistent/connectors.yaml');
    expect(result).toEqual({
      ok: false,
      problems: [
        '/nonexistent/connectors.yaml: cannot be read (ENOENT); fix CONNECTORS_CONFIG, or unset it for the built-in default',
      ],
    });
  });
});

import { describe, expect, it } from 'vitest';
import { commandTypes, type ParsedCommand } from '../../../../src/commands/command.ts';
import { parseCommandMessage } from '../../../../src/commands/contract/parse-command.ts';
import { commandMessage } from './command-message.ts';
import { commandSamples } from './command-samples.ts';

function failure(parsed: ParsedCommand) {
  if (parsed.ok) throw new Error(`expected a failure, got ${JSON.stringify(parsed.command)}`);
  return parsed;
}

function command(parsed: ParsedCommand) {
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.command;
}

describe('parseCommandMessage: a valid command', () => {
  it('reads the envelope, the key and the data into a Command', () => {
    expect(command(parseCommandMessage(commandMessage()))).toEqual({
      id: 'crm-7f3a-0001',
      source: 'https://crm.example.com',
      siteHost: 'acme.atlassian.net',
      time: Date.parse('2024-03-01T09:30:00.000Z'),
      key: 'acme.atlassian.net:10042',
      data: { type: 'jira.issue.transition', issue: 'OPS-7', to: 'Done' },
    });
  });

  for (const type of commandTypes) {
    it(`takes every valid ${type} sample`, () => {
      for (const data of commandSamples[type].valid) {
        const parsed = command(parseCommandMessage(commandMessage({ type, data })));
        expect(parsed.data.type).toBe(type);
      }
    });
  }

  it('names the connector from the type prefix, or from `connector` of a jira.* command', () => {
    const connectorOf = (type: string, data: unknown) =>
      command(parseCommandMessage(commandMessage({ type, data }))).connector;
    expect(connectorOf('crm.ticket.update', { issue: 'OPS-7', status: 'closed' })).toBe('crm');
    expect(connectorOf('monitoring.incident.resolve', { issue: 'OPS-7' })).toBe('monitoring');
    expect(connectorOf('jira.issue.transition', { issue: 'OPS-7', to: 'Done', connector: 'crm' })).toBe(
      'crm',
    );
    const plain = command(parseCommandMessage(commandMessage()));
    expect('connector' in plain).toBe(false);
  });

  it('moves `connector` out of the data and defaults `format` to text', () => {
    const data = { issue: 'OPS-7', body: 'Seen too.', connector: 'monitoring' };
    const parsed = command(parseCommandMessage(commandMessage({ type: 'jira.comment.create', data })));
    expect(parsed.data).toEqual({
      type: 'jira.comment.create',
      issue: 'OPS-7',
      body: 'Seen too.',
      format: 'text',
    });
  });

  it('accepts text headers and keys, header names in any case, and repeated identical headers', () => {
    const message = commandMessage({
      headers: { ce_id: undefined, CE_ID: ['a-1', Buffer.from('a-1')] },
      key: 'acme.atlassian.net:10042',
    });
    expect(command(parseCommandMessage({ ...message, value: '{"issue":"OPS-7","to":"Done"}' })).id).toBe(
      'a-1',
    );
  });

  it('lower-cases the site host and leaves ce_time out when not given', () => {
    const parsed = command(
      parseCommandMessage(
        commandMessage({ headers: { ce_jirasite: 'ACME.Atlassian.NET', ce_time: undefined } }),
      ),
    );
    expect(parsed.siteHost).toBe('acme.atlassian.net');
    expect('time' in parsed).toBe(false);
  });

  it.each([
    ['2024-03-01T10:30:00+01:00', Date.parse('2024-03-01T09:30:00Z')],
    ['2024-03-01t09:30:00.5z', Date.parse('2024-03-01T09:30:00.500Z')],
  ])('reads ce_time %s as epoch ms', (time, ms) => {
    expect(command(parseCommandMessage(commandMessage({ headers: { ce_time: time } }))).time).toBe(ms);
  });

  it.each([
    undefined,
    'application/json',
    'application/json; charset=utf-8',
    'Application/JSON;charset="UTF-8"',
  ])('accepts content-type %s', (contentType) => {
    expect(parseCommandMessage(commandMessage({ headers: { 'content-type': contentType } })).ok).toBe(true);
  });

  it('accepts a create keyed {siteHost}:new:{ref}', () => {
    const data = { project: 'OPS', issueType: 'Incident', fields: { summary: 'x' } };
    const message = commandMessage({
      type: 'jira.issue.create',
      data,
      key: 'acme.atlassian.net:new:crm-4411',
    });
    expect(command(parseCommandMessage(message)).key).toBe('acme.atlassian.net:new:crm-4411');
  });
});

describe('parseCommandMessage: an invalid envelope names the header', () => {
  it.each([
    [{ ce_specversion: undefined }, 'ce_specversion', 'ce_specversion: required'],
    [{ ce_specversion: '0.3' }, 'ce_specversion', 'ce_specversion: "0.3" is not 1.0'],
    [{ ce_id: undefined }, 'ce_id', 'ce_id: required'],
    [{ ce_id: '' }, 'ce_id', 'ce_id: must not be empty'],
    [{ ce_id: 'x'.repeat(201) }, 'ce_id', 'ce_id: at most 200 characters'],
    [{ ce_id: 'a\nb' }, 'ce_id', 'ce_id: must not contain control characters'],
    [{ ce_source: ' ' }, 'ce_source', 'ce_source: must not be empty'],
    [{ ce_type: undefined }, 'ce_type', 'ce_type: required'],
    [{ ce_jirasite: undefined }, 'ce_jirasite', 'ce_jirasite: required'],
    [
      { ce_jirasite: 'https://acme.atlassian.net' },
      'ce_jirasite',
      'ce_jirasite: a host name like acme.atlassian.net, not a URL',
    ],
    [{ ce_time: '2024-03-01 09:30' }, 'ce_time', 'ce_time: "2024-03-01 09:30" is not an RFC 3339 time'],
    [{ 'content-type': 'text/plain' }, 'content-type', 'content-type: "text/plain" is not application/json'],
    [
      { 'content-type': 'application/json; charset=latin1' },
      'content-type',
      expect.stringContaining('content-type:'),
    ],
    [{ ce_id: ['a', 'b'] }, 'ce_id', 'ce_id: given 2 times with different values'],
    [{ ce_id: Buffer.from([0xff, 0xfe]) }, 'ce_id', 'ce_id: not UTF-8 text'],
  ])('%j', (headers, field, reason) => {
    const parsed = failure(parseCommandMessage(commandMessage({ headers })));
    expect(parsed.field).toBe(field);
    expect(parsed.reason).toEqual(reason);
  });

  it.each([
    'dev.jirarelay.crm.ticket.upserted',
    'dev.jirarelay.command.result',
    'jira.issue.create',
    'com.other.jira.issue.create',
  ])('refuses ce_type %s and lists the command types', (type) => {
    const parsed = failure(parseCommandMessage(commandMessage({ headers: { ce_type: type } })));
    expect(parsed.field).toBe('ce_type');
    expect(parsed.reason).toContain('is not a command type');
    expect(parsed.reason).toContain('monitoring.incident.annotate');
  });

  it.each([
    'localhost',
    '10.0.0.1',
    'acme_corp.atlassian.net',
    '-acme.atlassian.net',
    'acme..net',
    `${'a'.repeat(64)}.net`,
    'acme.atlassian.net.',
  ])('refuses ce_jirasite %s', (host) => {
    expect(failure(parseCommandMessage(commandMessage({ headers: { ce_jirasite: host } }))).field).toBe(
      'ce_jirasite',
    );
  });

  it('says that structured mode is not accepted', () => {
    const headers = { 'content-type': 'application/cloudevents+json' };
    expect(failure(parseCommandMessage(commandMessage({ headers }))).reason).toContain('send binary mode');
  });

  it.each([
    [null, 'key: required ({siteHost}:{issueId})'],
    ['', 'key: required ({siteHost}:{issueId})'],
    ['10042', 'key: "10042" does not start with the site (acme.atlassian.net:{issueId})'],
    ['globex.atlassian.net:10042', expect.stringContaining('does not start with the site')],
    ['acme.atlassian.net:', expect.stringContaining('does not start with the site')],
  ])('refuses the message key %j', (key, reason) => {
    const parsed = failure(parseCommandMessage(commandMessage({ key })));
    expect(parsed).toMatchObject({ field: 'key', reason });
  });

  it('keeps what it could read for the result: command id, site, issue and key', () => {
    const parsed = failure(
      parseCommandMessage(commandMessage({ headers: { ce_type: 'dev.jirarelay.nope' } })),
    );
    expect(parsed).toEqual({
      ok: false,
      commandId: 'crm-7f3a-0001',
      siteHost: 'acme.atlassian.net',
      issue: 'OPS-7',
      key: 'acme.atlassian.net:10042',
      field: 'ce_type',
      reason: expect.stringMatching(/^ce_type: "dev\.jirarelay\.nope" is not a command type/),
    });
  });
});

describe('parseCommandMessage: invalid data names the field', () => {
  for (const type of commandTypes) {
    it(`${type}: each invalid sample names its field`, () => {
      for (const { data, field } of commandSamples[type].invalid) {
        const parsed = failure(parseCommandMessage(commandMessage({ type, data })));
        expect({ data, field: parsed.field }).toEqual({ data, field });
        expect(parsed.reason.startsWith(`${field}: `)).toBe(true);
      }
    });
  }

  it.each([
    [{ issue: 'OPS-7' }, 'data.to: required'],
    [{ issue: 'OPS-7', to: '' }, 'data.to: must not be empty'],
    [{ issue: 'OPS-7', to: 7 }, 'data.to: expected a string'],
    [{ issue: 'ops-7', to: 'Done' }, 'data.issue: an issue key like OPS-7 or a numeric issue id'],
    [
      { issue: 'OPS-7', to: 'Done', ifupdated: 'x' },
      'data.ifupdated: unknown key (known: issue, to, ifUpdated, connector)',
    ],
    [
      { to: 'Done', ifUpdated: 'now', 'odd key': 1 },
      expect.stringMatching(
        /^data\.issue: required; data\.ifUpdated: an ISO 8601 time.*; data\["odd key"\]: unknown key/,
      ),
    ],
  ])('%j: %s', (data, reason) => {
    expect(failure(parseCommandMessage(commandMessage({ data }))).reason).toEqual(reason);
  });

  it('says what is wrong with the value itself', () => {
    const reasonOf = (value: Buffer | string | null) =>
      failure(parseCommandMessage(commandMessage({ value }))).reason;
    expect(reasonOf(null)).toBe('data: required (the message has no value)');
    expect(reasonOf('{"issue": ')).toBe('data: not valid JSON');
    expect(reasonOf('[1,2]')).toBe('data: expected a JSON object');
    expect(reasonOf(Buffer.from([0x7b, 0xff, 0x7d]))).toBe('data: not UTF-8 text');
    expect(reasonOf(`{"issue":"OPS-7","to":"${'x'.repeat(300 * 1024)}"}`)).toBe(
      'data: larger than 262144 bytes',
    );
    expect(reasonOf(`{"fields":${'['.repeat(100)}${']'.repeat(100)}}`)).toBe(
      'data: nested deeper than 64 levels',
    );
  });

  it('names at most three problems in one line', () => {
    const data = { a: 1, b: 2, c: 3, d: 4, e: 5 };
    const { reason } = failure(parseCommandMessage(commandMessage({ data })));
    expect(reason).toMatch(/; and \d+ more$/);
    expect(reason).not.toContain('\n');
  });
});

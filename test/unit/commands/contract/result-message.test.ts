import { Kafka } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import type { CommandResult } from '../../../../src/commands/command.ts';
import { commandResultSchema } from '../../../../src/commands/contract/command-result-schema.ts';
import {
  COMMAND_RESULT_TYPE,
  commandResultMessage,
  resultEventId,
  resultIssueOf,
} from '../../../../src/commands/contract/result-message.ts';

const command = {
  id: 'crm-7f3a-0001',
  siteHost: 'acme.atlassian.net',
  key: 'acme.atlassian.net:10042',
  source: 'https://crm.example.com',
};
const applied: CommandResult = {
  commandId: 'crm-7f3a-0001',
  status: 'applied',
  issue: { id: '10042', key: 'OPS-7' },
  jira: { transition: { id: '31', to: 'Done' } },
  attempts: 1,
};
const time = new Date('2024-03-01T09:30:05.000Z');

describe('commandResultMessage', () => {
  it('is a binary-mode CloudEvent keyed like the command', () => {
    const resultId = resultEventId(command.id, 'first');
    expect(commandResultMessage({ command, result: applied, resultId, time })).toEqual({
      key: 'acme.atlassian.net:10042',
      value: JSON.stringify(applied),
      headers: {
        'content-type': 'application/json',
        ce_specversion: '1.0',
        ce_id: resultId,
        ce_type: 'dev.jirarelay.command.result',
        ce_source: 'https://acme.atlassian.net',
        ce_subject: 'OPS-7',
        ce_time: '2024-03-01T09:30:05.000Z',
        ce_commandid: 'crm-7f3a-0001',
        ce_dataschema: 'https://jirarelay.dev/schemas/commands/command.result.json',
      },
    });
  });

  it("reads back with the binding's own decoder, the data valid as a result", () => {
    const message = commandResultMessage({ command, result: applied, resultId: 'r-1', time });
    const incoming = {
      key: message.key,
      value: message.value,
      body: message.value,
      headers: { ...message.headers },
    };
    const event = Kafka.toEvent(incoming);
    if (Array.isArray(event)) throw new Error('one event expected');
    expect(event.type).toBe(COMMAND_RESULT_TYPE);
    expect(event.commandid).toBe('crm-7f3a-0001');
    expect(commandResultSchema.parse(JSON.parse(message.value))).toEqual(applied);
  });

  it('falls back to urn:jira-relay, no subject and unknown:{commandId} when the command could not be read', () => {
    const invalid: CommandResult = {
      commandId: 'unidentified:jira.commands:0:17',
      status: 'invalid',
      issue: null,
      jira: null,
      attempts: 0,
      reason: 'ce_jirasite: required',
    };
    for (const address of [{}, { siteHost: '', key: null }, { id: invalid.commandId, key: '' }]) {
      const message = commandResultMessage({ command: address, result: invalid, resultId: 'r-2', time });
      expect(message.key).toBe('unknown:unidentified:jira.commands:0:17');
      expect(message.headers.ce_source).toBe('urn:jira-relay');
      expect(message.headers.ce_commandid).toBe(invalid.commandId);
      expect('ce_subject' in message.headers).toBe(false);
    }
  });

  it('sends no header without a value', () => {
    const result: CommandResult = { ...applied, issue: { id: '10042' } };
    const { headers } = commandResultMessage({ command, result, resultId: 'r-3', time });
    expect(Object.values(headers).every((v) => typeof v === 'string' && v !== '')).toBe(true);
    expect(Object.keys(headers)).not.toContain('ce_datacontenttype');
  });
});

describe('resultEventId', () => {
  it('is 32 hex digits, the same for the same answer, different for another', () => {
    const first = resultEventId('cmd-1', 'first');
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    expect(resultEventId('cmd-1', 'first')).toBe(first);
    expect(resultEventId('cmd-2', 'first')).not.toBe(first);
    expect(resultEventId('cmd-1', 'duplicate:3:1042')).not.toBe(first);
    expect(resultEventId('cmd-1', 'duplicate:3:1042')).not.toBe(resultEventId('cmd-1', 'duplicate:3:1043'));
  });

  it('cannot be made to collide by moving a separator between the parts', () => {
    expect(resultEventId('a:first', 'x')).not.toBe(resultEventId('a', 'first:x'));
  });
});

describe('resultIssueOf', () => {
  it('tells keys from ids, and gives null for anything else', () => {
    expect(resultIssueOf('OPS-7')).toEqual({ key: 'OPS-7' });
    expect(resultIssueOf('10042')).toEqual({ id: '10042' });
    expect(resultIssueOf(undefined)).toBeNull();
    expect(resultIssueOf('not an issue')).toBeNull();
  });
});

import { createHash } from 'node:crypto';
import { CloudEvent, Kafka } from 'cloudevents';
import { EVENT_TYPE_PREFIX } from '../../../connectors/relay-event.ts';
import type { OutgoingMessage } from '../../kafka/cloud-event-message.ts';
import type { Command, CommandResult } from '../command.ts';
import { issueRefPattern } from './command-data-fields.ts';

/** `dev.jirarelay.command.result`: the one answer to every command. */
export const COMMAND_RESULT_TYPE = `${EVENT_TYPE_PREFIX}command.result`;

/** The `ce_source` of a result whose site is not known (the command named none, or no valid one). */
const UNKNOWN_SOURCE = 'urn:jira-relay';

/** What a result is addressed by: a parsed command, or what could be read of an invalid one. */
type ResultAddress =
  | Pick<Command, 'id' | 'siteHost' | 'key' | 'source'>
  | { readonly id?: string; readonly siteHost?: string; readonly key?: string | null };

/** What `commandResultMessage` needs: the address, the result, its id and the time. */
export interface CommandResultInput {
  readonly command: ResultAddress;
  readonly result: CommandResult;
  /** From `resultEventId`: the same result re-published carries the same `ce_id`. */
  readonly resultId: string;
  readonly time: Date;
}

/**
 * The `ce_id` of a result, SHA-256 as 32 hex digits over the command id and which answer this is:
 * `'first'` for the command's own result, `duplicate:<partition>:<offset>` (or any other string) for
 * the answer to a repeat, so a re-publication after a crash carries the same id and can be dropped.
 */
export function resultEventId(commandId: string, kind: 'first' | (string & {})): string {
  return createHash('sha256')
    .update(JSON.stringify(['command.result', commandId, kind]))
    .digest('hex')
    .slice(0, 32);
}

/** The `$id` of docs/schemas/commands/command.result.json: the results' `ce_dataschema`. */
const RESULT_SCHEMA = 'https://jirarelay.dev/schemas/commands/command.result.json';

/**
 * A `command.result` CloudEvent as a binary-mode Kafka message: `ce_source` the site
 * (`https://{siteHost}`, else `urn:jira-relay`), `ce_subject` the issue key when the result knows it,
 * the extension `ce_commandid`, the result as JSON data, and the command's message key (else
 * `unknown:{commandId}`), so a command's result lands in order with the command's issue.
 */
export function commandResultMessage(input: CommandResultInput): OutgoingMessage {
  const { command, result } = input;
  const commandId = command.id ?? result.commandId;
  const subject = result.issue?.key;
  const event = new CloudEvent(
    {
      specversion: '1.0',
      id: input.resultId,
      type: COMMAND_RESULT_TYPE,
      source: command.siteHost ? `https://${command.siteHost}` : UNKNOWN_SOURCE,
      ...(subject ? { subject } : {}),
      time: input.time.toISOString(),
      datacontenttype: 'application/json',
      dataschema: RESULT_SCHEMA,
      data: result,
      commandid: commandId,
    },
    // Built from our own values: skipping the schema check saves a validation per result.
    false,
  );
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(Kafka.binary(event).headers)) {
    if (value !== undefined && value !== null && name !== 'ce_datacontenttype') headers[name] = String(value);
  }
  return { key: command.key || `unknown:${commandId}`, value: JSON.stringify(result), headers };
}

/** A result's `issue` from a command's `issue` field: a key (`OPS-7`) or an id (`10042`). */
export function resultIssueOf(issue: string | undefined): CommandResult['issue'] {
  if (issue === undefined || !issueRefPattern.test(issue)) return null;
  return /^[0-9]+$/.test(issue) ? { id: issue } : { key: issue };
}

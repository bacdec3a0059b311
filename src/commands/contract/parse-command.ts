import type { Command, CommandConnector, CommandData, CommandType, ParsedCommand } from '../command.ts';
import { issueRefPattern } from './command-data-fields.ts';
import { commandDataSchemas, knownDataKeys } from './command-data-schemas.ts';
import { type CommandEnvelope, readCommandEnvelope } from './command-envelope.ts';
import { decodeText, type KafkaHeaders } from './command-headers.ts';
import { describeDataIssues } from './describe-data-issues.ts';

/** A command message off Kafka: key and value as kafkajs gives them (or already as text). */
export interface CommandMessage {
  readonly key: string | Buffer | null;
  readonly value: Buffer | string | null;
  readonly headers: KafkaHeaders;
}

/** Command data is small: a body is at most 32,768 characters; the value at most 256 KiB. */
const maxCommandValueBytes = 256 * 1024;
/** JSON nested deeper than this is refused before validation walks it. */
const maxJsonDepth = 64;

type ValueRead =
  | { readonly ok: true; readonly value: Record<string, unknown> }
  | { readonly ok: false; readonly reason: string };

/**
 * A Kafka message as a command (DESIGN.md, "Two-way sync (contract)"): the CloudEvents envelope in
 * binary mode, then the value as the JSON data of the type's schema. Never throws: anything else is
 * `{ ok: false }` naming the field, with the command id, site, issue and key when they could be read.
 */
export function parseCommandMessage(message: CommandMessage): ParsedCommand {
  try {
    return parse(message);
  } catch (err) {
    // A defect here must not stop the consumer: the message is answered as invalid instead.
    const detail = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return { ok: false, field: 'message', reason: `message: could not be read (${detail})` };
  }
}

function parse(message: CommandMessage): ParsedCommand {
  const envelope = readCommandEnvelope(message);
  const value = readValue(message?.value);
  const issue = value.ok ? issueOf(value.value) : undefined;
  const known = envelope.ok
    ? { commandId: envelope.envelope.id, siteHost: envelope.envelope.siteHost, key: envelope.envelope.key }
    : envelope.known;
  const failure = (field: string, reason: string): ParsedCommand => ({
    ok: false,
    ...known,
    ...(issue === undefined ? {} : { issue }),
    field,
    reason,
  });
  if (!envelope.ok) return failure(envelope.field, envelope.reason);
  if (!value.ok) return failure('data', `data: ${value.reason}`);
  const { type } = envelope.envelope;
  const parsed = commandDataSchemas[type].safeParse(value.value, { reportInput: true });
  if (!parsed.success) {
    const problem = describeDataIssues(parsed.error.issues, knownDataKeys(type));
    return failure(problem.field, problem.reason);
  }
  return { ok: true, command: toCommand(envelope.envelope, parsed.data) };
}

function toCommand(envelope: CommandEnvelope, parsed: object): Command {
  const { connector: named, ...fields } = parsed as { connector?: CommandConnector };
  // The schema of `envelope.type` produced `fields`: together they are that type's CommandData.
  const data = { type: envelope.type, ...fields } as CommandData;
  const connector = connectorOf(envelope.type, named);
  return {
    id: envelope.id,
    source: envelope.source,
    siteHost: envelope.siteHost,
    ...(envelope.time === undefined ? {} : { time: envelope.time }),
    ...(connector === undefined ? {} : { connector }),
    key: envelope.key,
    data,
  };
}

/** `crm`/`monitoring` from the type's prefix; a `jira.*` command names its sender's connector, if any. */
function connectorOf(type: CommandType, named: CommandConnector | undefined): CommandConnector | undefined {
  if (type.startsWith('crm.')) return 'crm';
  if (type.startsWith('monitoring.')) return 'monitoring';
  return named;
}

function readValue(raw: unknown): ValueRead {
  if (raw === null || raw === undefined) return { ok: false, reason: 'required (the message has no value)' };
  const size =
    typeof raw === 'string' ? Buffer.byteLength(raw) : raw instanceof Uint8Array ? raw.byteLength : 0;
  if (size > maxCommandValueBytes) return { ok: false, reason: `larger than ${maxCommandValueBytes} bytes` };
  const text = decodeText(raw);
  if (text === undefined) return { ok: false, reason: 'not UTF-8 text' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not valid JSON' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, reason: 'expected a JSON object' };
  }
  if (depthExceeds(json, maxJsonDepth))
    return { ok: false, reason: `nested deeper than ${maxJsonDepth} levels` };
  return { ok: true, value: json as Record<string, unknown> };
}

/** Whether JSON nests deeper than `max`, walked without recursion. */
function depthExceeds(root: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[root, 1]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [node, depth] = next;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > max) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

/** `data.issue` when it is a valid issue key or id, so even an invalid command's result names it. */
function issueOf(value: Record<string, unknown>): string | undefined {
  const issue = value.issue;
  return typeof issue === 'string' && issueRefPattern.test(issue) ? issue : undefined;
}

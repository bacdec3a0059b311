import { EVENT_TYPE_PREFIX } from '../../../connectors/relay-event.ts';
import { type CommandType, commandTypes } from '../command.ts';
import { controlCharacter } from './command-data-fields.ts';
import { decodeText, type HeaderRead, headerReader, type KafkaHeaders } from './command-headers.ts';
import { isProblem, type Problem, parseSiteHost, quote } from './site-host.ts';

/** The CloudEvents attributes and Kafka key of a command, checked (DESIGN.md, "Two-way sync"). */
export interface CommandEnvelope {
  readonly id: string;
  readonly source: string;
  readonly type: CommandType;
  readonly siteHost: string;
  readonly time?: number;
  readonly key: string;
}

/** What could be read of a message whose envelope is not valid, for addressing its result. */
interface KnownParts {
  readonly commandId?: string;
  readonly siteHost?: string;
  readonly key?: string;
}

/** The envelope, or the first problem with it and what could be read anyway. */
export type EnvelopeRead =
  | { readonly ok: true; readonly envelope: CommandEnvelope }
  | {
      readonly ok: false;
      readonly field: string;
      /** One line that starts with the field: `ce_type: required`. */
      readonly reason: string;
      readonly known: KnownParts;
    };

const maxIdLength = 200;
const maxSourceLength = 1024;
const maxKeyLength = 1024;
const rfc3339 =
  /^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$/;

type Read<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

function read<T>(
  header: HeaderRead,
  parse: (text: string) => T | Problem,
  required: boolean,
): Read<T | undefined> {
  if (header.kind === 'absent')
    return required ? { ok: false, reason: 'required' } : { ok: true, value: undefined };
  if (header.kind === 'unreadable') return { ok: false, reason: header.reason };
  const value = parse(header.value);
  return isProblem(value) ? { ok: false, reason: value.problem } : { ok: true, value };
}

const parseSpecVersion = (text: string) => (text === '1.0' ? text : { problem: `${quote(text)} is not 1.0` });

function parseId(text: string): string | Problem {
  if (text === '') return { problem: 'must not be empty' };
  if (text.length > maxIdLength) return { problem: `at most ${maxIdLength} characters` };
  return controlCharacter.test(text) ? { problem: 'must not contain control characters' } : text;
}

function parseSource(text: string): string | Problem {
  if (text.trim() === '') return { problem: 'must not be empty' };
  if (text.length > maxSourceLength) return { problem: `at most ${maxSourceLength} characters` };
  return controlCharacter.test(text) ? { problem: 'must not contain control characters' } : text;
}

function parseType(text: string): CommandType | Problem {
  const suffix = text.startsWith(EVENT_TYPE_PREFIX) ? text.slice(EVENT_TYPE_PREFIX.length) : undefined;
  const type = commandTypes.find((t) => t === suffix);
  if (type !== undefined) return type;
  return {
    problem: `${quote(text)} is not a command type (${EVENT_TYPE_PREFIX} + one of ${commandTypes.join(', ')})`,
  };
}

function parseTime(text: string): number | Problem {
  const ms = rfc3339.test(text) ? Date.parse(text.toUpperCase()) : Number.NaN;
  return Number.isFinite(ms) ? ms : { problem: `${quote(text)} is not an RFC 3339 time` };
}

/** `application/json`, with at most a UTF-8 charset; anything else is not this contract. */
function parseContentType(text: string): string | Problem {
  const [media = '', ...params] = text.split(';').map((part) => part.trim().toLowerCase());
  if (media === 'application/cloudevents+json') {
    return {
      problem: 'structured mode is not accepted: send binary mode (ce_* headers, JSON data as the value)',
    };
  }
  const utf8 = params.every((p) => /^charset\s*=\s*"?utf-8"?$/.test(p));
  return media === 'application/json' && utf8 ? media : { problem: `${quote(text)} is not application/json` };
}

/** The key routes by site and issue: `{siteHost}:{issueId}`, or `{siteHost}:new:{ref}` for a create. */
function parseKey(key: string | undefined, siteHost: string): Read<string> {
  if (key === undefined || key === '') return { ok: false, reason: `required ({siteHost}:{issueId})` };
  if (key.length > maxKeyLength) return { ok: false, reason: `at most ${maxKeyLength} characters` };
  const prefix = `${siteHost}:`;
  if (!key.toLowerCase().startsWith(prefix) || key.length === prefix.length) {
    return { ok: false, reason: `${quote(key)} does not start with the site (${prefix}{issueId})` };
  }
  return { ok: true, value: key };
}

/**
 * Checks the CloudEvents attributes (`ce_specversion` 1.0, `ce_id`, `ce_source`, `ce_type`, the
 * extension `ce_jirasite`, an optional `ce_time`), the `content-type` (absent or JSON) and the key,
 * in that order: the first problem is the one reported.
 */
export function readCommandEnvelope(message: {
  readonly key: unknown;
  readonly headers: KafkaHeaders;
}): EnvelopeRead {
  const header = headerReader(message.headers);
  const spec = read(header('ce_specversion'), parseSpecVersion, true);
  const id = read(header('ce_id'), parseId, true);
  const source = read(header('ce_source'), parseSource, true);
  const type = read(header('ce_type'), parseType, true);
  const site = read(header('ce_jirasite'), parseSiteHost, true);
  const time = read(header('ce_time'), parseTime, false);
  const contentType = read(header('content-type'), parseContentType, false);
  const rawKey = decodeText(message.key);
  const known: KnownParts = {
    ...(id.ok && id.value !== undefined ? { commandId: id.value } : {}),
    ...(site.ok && site.value !== undefined ? { siteHost: site.value } : {}),
    ...(rawKey ? { key: rawKey } : {}),
  };
  const fail = (field: string, reason: string): EnvelopeRead => ({
    ok: false,
    field,
    reason: `${field}: ${reason}`,
    known,
  });
  if (!spec.ok) return fail('ce_specversion', spec.reason);
  if (!id.ok || id.value === undefined) return fail('ce_id', id.ok ? 'required' : id.reason);
  if (!source.ok || source.value === undefined)
    return fail('ce_source', source.ok ? 'required' : source.reason);
  if (!type.ok || type.value === undefined) return fail('ce_type', type.ok ? 'required' : type.reason);
  if (!site.ok || site.value === undefined) return fail('ce_jirasite', site.ok ? 'required' : site.reason);
  if (!time.ok) return fail('ce_time', time.reason);
  if (!contentType.ok) return fail('content-type', contentType.reason);
  const key = parseKey(rawKey, site.value);
  if (!key.ok) return fail('key', key.reason);
  const envelope: CommandEnvelope = {
    id: id.value,
    source: source.value,
    type: type.value,
    siteHost: site.value,
    ...(time.value === undefined ? {} : { time: time.value }),
    key: key.value,
  };
  return { ok: true, envelope };
}

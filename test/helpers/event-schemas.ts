import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { eventDataSchema } from '../../connectors/event-identity.ts';
import { EVENT_TYPE_PREFIX } from '../../connectors/relay-event.ts';

/**
 * The published JSON Schemas (docs/schemas/) as a check on what the relay writes to Kafka: every
 * event by its `ce_type`, every dead letter, every command result. Test readers run each message
 * they read through it, so a test that reads an event the schemas do not describe fails.
 */

// ajv-formats is CommonJS: its default export arrives wrapped under Node's ESM interop.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv2020,
) => Ajv2020;

const schemasDir = path.resolve(import.meta.dirname, '../../docs/schemas');
export const eventSchemasDir = path.join(schemasDir, 'events');
const commandSchemasDir = path.join(schemasDir, 'commands');

/** The name of the dead letter's schema file (less `.json`): the DLQ carries plain JSON, no `ce_type`. */
export const DEAD_LETTER_SCHEMA = 'dead-letter';
const COMMAND_RESULT = 'command.result';

/** The event schema files' names less `.json`: the event type suffixes, and `dead-letter`. */
export function eventSchemaNames(): string[] {
  return readdirSync(eventSchemasDir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}

export function readSchema(file: string): { $id: string } & Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8'));
}

interface Schemas {
  /** Event type suffix (or `dead-letter`, `command.result`) -> its compiled schema. */
  readonly validators: ReadonlyMap<string, ValidateFunction>;
  /** Command types: inputs tests send, refused or not by the relay itself, never checked here. */
  readonly commandTypes: ReadonlySet<string>;
}

let loaded: Schemas | undefined;

/** Compiles every schema once per test process, as the command contract test does (strict mode). */
function schemas(): Schemas {
  if (loaded) return loaded;
  const ajv = addFormats(new Ajv2020({ strict: true, strictRequired: false, allErrors: true }));
  const validators = new Map<string, ValidateFunction>();
  for (const name of eventSchemaNames()) {
    validators.set(name, ajv.compile(readSchema(path.join(eventSchemasDir, `${name}.json`))));
  }
  const commandFiles = readdirSync(commandSchemasDir).filter((file) => file.endsWith('.json'));
  const commandTypes = new Set(commandFiles.map((file) => file.slice(0, -'.json'.length)));
  commandTypes.delete(COMMAND_RESULT);
  validators.set(
    COMMAND_RESULT,
    ajv.compile(readSchema(path.join(commandSchemasDir, `${COMMAND_RESULT}.json`))),
  );
  loaded = { validators, commandTypes };
  return loaded;
}

function describeError(error: ErrorObject): string {
  const where = error.instancePath === '' ? 'data' : `data${error.instancePath}`;
  const extra =
    error.keyword === 'additionalProperties' || error.keyword === 'enum' || error.keyword === 'const'
      ? ` ${JSON.stringify(error.params)}`
      : '';
  return `${where} ${error.message ?? error.keyword}${extra}`;
}

/** What is wrong with `data` by the schema `name` (an event type suffix, `dead-letter`, ...); [] when valid. */
export function schemaErrors(name: string, data: unknown): string[] {
  const validate = schemas().validators.get(name);
  if (!validate) return [`no schema ${name}.json in docs/schemas/events/`];
  return validate(data) === true ? [] : (validate.errors ?? []).map(describeError);
}

/** The dead letter's headers must say what its value says. */
function deadLetterErrors(headers: Readonly<Record<string, string>>, data: unknown): string[] {
  const letter = (typeof data === 'object' && data !== null ? data : {}) as {
    queue?: unknown;
    error?: { code?: unknown };
  };
  const problems = schemaErrors(DEAD_LETTER_SCHEMA, data);
  if (headers['x-relay-queue'] !== letter.queue)
    problems.push('header x-relay-queue differs from data.queue');
  if (headers['x-relay-error-code'] !== letter.error?.code) {
    problems.push('header x-relay-error-code differs from data.error.code');
  }
  return problems;
}

/**
 * What is wrong with one message the relay wrote: by its `ce_type` the event's data against the
 * type's schema and `ce_dataschema` against that schema's `$id`; without `ce_type`, a dead letter.
 * Commands (what tests send to the relay) are not the relay's output and pass unchecked.
 */
export function messageSchemaErrors(headers: Readonly<Record<string, string>>, data: unknown): string[] {
  const type = headers.ce_type;
  if (type === undefined) return deadLetterErrors(headers, data);
  if (!type.startsWith(EVENT_TYPE_PREFIX)) return [`ce_type ${type} is not under ${EVENT_TYPE_PREFIX}`];
  const suffix = type.slice(EVENT_TYPE_PREFIX.length);
  const { validators, commandTypes } = schemas();
  if (commandTypes.has(suffix)) return [];
  if (suffix === COMMAND_RESULT) return schemaErrors(COMMAND_RESULT, data);
  if (suffix === DEAD_LETTER_SCHEMA || !validators.has(suffix)) return [`no schema for ce_type ${type}`];
  const problems = schemaErrors(suffix, data);
  if (headers.ce_dataschema !== eventDataSchema(suffix)) {
    problems.push(`ce_dataschema is ${headers.ce_dataschema ?? 'missing'}, not ${eventDataSchema(suffix)}`);
  }
  return problems;
}

/** Throws, with ajv's errors, when a message read from `topic` does not match its schema. */
export function assertValidEvent(
  topic: string,
  headers: Readonly<Record<string, string>>,
  data: unknown,
): void {
  const problems = messageSchemaErrors(headers, data);
  if (problems.length === 0) return;
  const what = `${headers.ce_type ?? 'dead letter'} ${headers.ce_id ?? ''} on ${topic}`;
  throw new Error(
    `${what} breaks its schema: ${problems.join('; ')}\n${JSON.stringify(data).slice(0, 1000)}`,
  );
}

/**
 * Collects schema violations where throwing cannot reach a test (a kafkajs `eachMessage` handler:
 * kafkajs would retry the message), for the reader to throw from the calls the test awaits.
 */
export class SchemaViolations {
  readonly #found: string[] = [];

  check(topic: string, headers: Readonly<Record<string, string>>, value: string): void {
    try {
      assertValidEvent(topic, headers, JSON.parse(value));
    } catch (err) {
      if (err instanceof SyntaxError) this.#found.push(`not JSON on ${topic}: ${value.slice(0, 200)}`);
      else this.#found.push(err instanceof Error ? err.message : String(err));
    }
  }

  /** Throws once any message read so far broke its schema (again on every later call). */
  throwIfAny(): void {
    const count = this.#found.length;
    if (count === 0) return;
    const shown = this.#found.slice(0, 3).join('\n');
    const more = count > 3 ? `\n... and ${count - 3} more` : '';
    throw new Error(`${count} message(s) read from Kafka break their schema:\n${shown}${more}`);
  }
}

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventDataSchema } from '../../../connectors/event-identity.ts';
import { EVENT_SCHEMA_BASE, EVENT_TYPE_PREFIX } from '../../../connectors/relay-event.ts';
import { toDeadLetterMessage } from '../../../src/kafka/cloud-event-message.ts';
import {
  assertValidEvent,
  DEAD_LETTER_SCHEMA,
  eventSchemaNames,
  eventSchemasDir,
  messageSchemaErrors,
  readSchema,
  schemaErrors,
} from '../../helpers/event-schemas.ts';
import { fencedExamples } from './doc-examples.ts';
import { connectorSampleEvents } from './event-samples.ts';

const root = path.resolve(import.meta.dirname, '../../..');

/**
 * Event types in the connectors' source: literals like 'crm.ticket.upserted' (or a later major
 * version, 'crm.ticket.upserted.v2'). Events are named in the past tense, commands
 * (crm-command.ts, monitoring-command.ts) in the imperative.
 */
function eventTypesInCode(): string[] {
  const dir = path.join(root, 'connectors');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const types = files.flatMap((file) =>
    [
      ...readFileSync(path.join(dir, file), 'utf8').matchAll(
        /'((?:crm|monitoring)\.[a-z]+\.[a-z]+ed(?:\.v[0-9]+)?)'/g,
      ),
    ].map((m) => m[1] ?? ''),
  );
  return [...new Set(types)].sort();
}

/** Property schemas without a description of their own or of the definition they refer to. */
function undescribed(schema: Record<string, unknown>, at: string, defs: Record<string, unknown>): string[] {
  const out: string[] = [];
  const walk = (node: unknown, where: string): void => {
    if (typeof node !== 'object' || node === null) return;
    const n = node as Record<string, unknown>;
    for (const [name, prop] of Object.entries(
      (n.properties ?? {}) as Record<string, Record<string, unknown>>,
    )) {
      const ref = typeof prop.$ref === 'string' ? defs[prop.$ref.replace('#/$defs/', '')] : undefined;
      const described =
        'description' in prop || 'const' in prop || (ref as { description?: unknown })?.description;
      if (!described) out.push(`${where}.${name}`);
    }
    for (const [key, child] of Object.entries(n)) {
      if (key === 'properties')
        for (const [name, p] of Object.entries(child as object)) walk(p, `${where}.${name}`);
      else if (key === '$defs')
        for (const [name, d] of Object.entries(child as object)) walk(d, `${where}#${name}`);
      else if (typeof child === 'object' && child !== null) walk(child, where);
    }
  };
  walk(schema, at);
  return [...new Set(out)];
}

const samples = connectorSampleEvents();
const typeOf = (type: string) => type.slice(EVENT_TYPE_PREFIX.length);

describe('the JSON Schemas of the events (docs/schemas/events)', () => {
  const names = eventSchemaNames();
  const eventTypes = names.filter((name) => name !== DEAD_LETTER_SCHEMA);

  it('has one per event type the connectors emit, and one for the dead letter', () => {
    expect(eventTypesInCode().length).toBeGreaterThanOrEqual(8);
    expect(eventTypes).toEqual(eventTypesInCode());
    expect(names).toContain(DEAD_LETTER_SCHEMA);
    expect(new Set(samples.map((e) => typeOf(e.type)))).toEqual(new Set(eventTypes));
  });

  it.each(names)(
    '%s: draft 2020-12, $id by the naming rule, title, described fields, compiles strictly',
    (name) => {
      const schema = readSchema(path.join(eventSchemasDir, `${name}.json`));
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(schema.$id).toBe(`${EVENT_SCHEMA_BASE}${name}.json`);
      expect(schema.title).toEqual(expect.any(String));
      expect(String(schema.description).length).toBeGreaterThan(40);
      expect(schema.additionalProperties).toBe(false);
      expect(undescribed(schema, name, (schema.$defs ?? {}) as Record<string, unknown>)).toEqual([]);
      expect(schemaErrors(name, null)).not.toEqual([]);
    },
  );

  it.each(samples.map((e, i) => [typeOf(e.type), i, e] as const))(
    '%s (sample %i) built by its connector validates, and names its schema as dataschema',
    (type, _id, event) => {
      expect(schemaErrors(type, event.data)).toEqual([]);
      expect(event.dataschema).toBe(eventDataSchema(type));
      expect(event.dataschema).toBe(readSchema(path.join(eventSchemasDir, `${type}.json`)).$id);
    },
  );

  // The schemas are closed and exact: a field the connector does not send, or one it stops sending,
  // fails. This is what makes a schema change that breaks consumers visible in the suite.
  it.each(eventTypes)('%s refuses an unknown property and the loss of any required one', (type) => {
    const event = samples.find((e) => typeOf(e.type) === type);
    if (!event) throw new Error(`no sample of ${type}`);
    expect(schemaErrors(type, { ...event.data, unexpected: 1 })).not.toEqual([]);
    const required = readSchema(path.join(eventSchemasDir, `${type}.json`)).required as string[];
    for (const field of required) {
      const { [field]: _gone, ...rest } = event.data;
      expect(schemaErrors(type, rest), `${type} without ${field}`).not.toEqual([]);
    }
  });

  it('accepts the dead letters the publisher writes, with headers matching the value', () => {
    const letter = {
      queue: 'jira-changes',
      connector: 'crm',
      jobId: '42',
      key: 'acme.atlassian.net:10042',
      input: { change: { issue: { id: '10042' } } },
      error: { code: 'MAPPING_FAILED', message: 'boom', retryable: false },
      attempts: 8,
      failedAt: Date.parse('2024-03-01T10:00:00.000Z'),
    };
    for (const sent of [
      letter,
      { ...letter, id: '1700000000000-0' },
      { queue: 'q', input: null, error: letter.error, attempts: 0, failedAt: 0 },
    ]) {
      const message = toDeadLetterMessage(sent);
      expect(messageSchemaErrors(message.headers, JSON.parse(message.value))).toEqual([]);
    }
    const message = toDeadLetterMessage(letter);
    const value = JSON.parse(message.value);
    expect(messageSchemaErrors(message.headers, { ...value, extra: true })).not.toEqual([]);
    expect(messageSchemaErrors({ ...message.headers, 'x-relay-queue': 'other' }, value)).not.toEqual([]);
  });

  it('refuses an event of a type with no schema, or one whose ce_dataschema is wrong', () => {
    const [event] = samples;
    if (!event) throw new Error('no samples');
    const headers = { ce_type: event.type, ce_dataschema: event.dataschema };
    expect(messageSchemaErrors(headers, event.data)).toEqual([]);
    expect(
      messageSchemaErrors({ ...headers, ce_dataschema: `${event.dataschema}x` }, event.data),
    ).not.toEqual([]);
    expect(messageSchemaErrors({ ce_type: `${EVENT_TYPE_PREFIX}crm.ticket.archived` }, {})).not.toEqual([]);
  });

  it("throws for a reader with the type, the id, the topic and ajv's error", () => {
    const [event] = samples;
    if (!event) throw new Error('no samples');
    const headers = { ce_type: event.type, ce_id: event.id, ce_dataschema: event.dataschema };
    expect(() => assertValidEvent('jira.crm.events', headers, event.data)).not.toThrow();
    expect(() => assertValidEvent('jira.crm.events', headers, { ...event.data, severity: 'urgent' })).toThrow(
      `${event.type} ${event.id} on jira.crm.events breaks its schema: data/severity must be equal to one of the allowed values`,
    );
  });
});

describe('the event examples in README.md and docs/', () => {
  const examples = fencedExamples(root);

  it('are marked with their schema, and cover every event type and the dead letter', () => {
    expect(examples.unmarked).toEqual([]);
    expect(new Set(examples.marked.map((e) => e.schema))).toEqual(new Set(eventSchemaNames()));
  });

  it.each(examples.marked.map((e) => [e.where, e.schema, e.json] as const))(
    '%s (%s) validates',
    (_, schema, json) => {
      expect(schemaErrors(schema, JSON.parse(json))).toEqual([]);
    },
  );
});

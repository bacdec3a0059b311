import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { type CommandResult, commandTypes } from '../../../../src/commands/command.ts';
import { commandDataSchemas } from '../../../../src/commands/contract/command-data-schemas.ts';
import { commandResultSchema } from '../../../../src/commands/contract/command-result-schema.ts';
import { commandSamples } from './command-samples.ts';

// ajv-formats is CommonJS: its default export arrives wrapped under Node's ESM interop.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv2020,
) => Ajv2020;

const schemaDir = path.resolve(import.meta.dirname, '../../../../docs/schemas/commands');
const readSchema = (name: string) => JSON.parse(readFileSync(path.join(schemaDir, name), 'utf8'));
const ajv = addFormats(new Ajv2020({ strict: true, strictRequired: false, allErrors: true }));

function jsonSchemaAccepts(name: string, value: unknown): boolean {
  const schema = readSchema(name);
  const validate = ajv.getSchema(schema.$id) ?? ajv.compile(schema);
  return validate(value) === true;
}

describe('the JSON Schemas of the commands (docs/schemas/commands)', () => {
  it('has one per command type and one for the result, each with $id, title and description', () => {
    const files = readdirSync(schemaDir).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual([...commandTypes.map((t) => `${t}.json`), 'command.result.json'].sort());
    for (const file of files) {
      const schema = readSchema(file);
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(schema.$id).toBe(`https://jirarelay.dev/schemas/commands/${file}`);
      expect(schema.title).toEqual(expect.any(String));
      expect(schema.description.length).toBeGreaterThan(20);
    }
  });

  for (const type of commandTypes) {
    describe(type, () => {
      const { valid, invalid } = commandSamples[type];

      it.each(valid.map((data) => [JSON.stringify(data).slice(0, 80), data]))('both accept %s', (_, data) => {
        expect(commandDataSchemas[type].safeParse(data).success).toBe(true);
        expect(jsonSchemaAccepts(`${type}.json`, data)).toBe(true);
      });

      it.each(invalid.map((s) => [JSON.stringify(s.data).slice(0, 80), s.data]))(
        'both refuse %s',
        (_, data) => {
          expect(commandDataSchemas[type].safeParse(data).success).toBe(false);
          expect(jsonSchemaAccepts(`${type}.json`, data)).toBe(false);
        },
      );
    });
  }

  describe('command.result', () => {
    const applied: CommandResult = {
      commandId: 'cmd-1',
      status: 'applied',
      issue: { id: '10042', key: 'OPS-7' },
      jira: { transition: '31' },
      attempts: 1,
    };
    const valid: unknown[] = [
      applied,
      {
        commandId: 'cmd-2',
        status: 'invalid',
        issue: null,
        jira: null,
        attempts: 0,
        reason: 'data.to: required',
      },
      { ...applied, status: 'duplicate', attempts: 0, first: applied },
      { ...applied, addedLater: true },
    ];
    const invalid: unknown[] = [
      { ...applied, status: 'done' },
      { ...applied, attempts: -1 },
      { ...applied, attempts: 1.5 },
      { ...applied, commandId: '' },
      { ...applied, issue: 'OPS-7' },
      { commandId: 'cmd-1', status: 'applied', issue: null, attempts: 0 },
      { ...applied, first: { ...applied, status: 'nope' } },
    ];

    it.each(valid.map((v, i) => [i, v]))('both accept sample %i', (_, data) => {
      expect(commandResultSchema.safeParse(data).success).toBe(true);
      expect(jsonSchemaAccepts('command.result.json', data)).toBe(true);
    });

    it.each(invalid.map((v, i) => [i, v]))('both refuse sample %i', (_, data) => {
      expect(commandResultSchema.safeParse(data).success).toBe(false);
      expect(jsonSchemaAccepts('command.result.json', data)).toBe(false);
    });
  });
});

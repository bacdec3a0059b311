import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventSchemaNames, eventSchemasDir, readSchema } from '../../helpers/event-schemas.ts';
import { schemaFields } from './schema-fields.ts';

/**
 * The compatibility rule, checked: the fields of every published schema version are recorded in
 * fixtures/event-schema-fields.json. Within a major version a recorded field may not disappear or
 * change its type or presence (that needs a new type, `crm.ticket.upserted.v2`); a new field is
 * recorded there by hand, so adding one is a reviewed act too.
 */
const baselineFile = path.join(import.meta.dirname, 'fixtures', 'event-schema-fields.json');
const baseline = JSON.parse(readFileSync(baselineFile, 'utf8')) as Record<string, string[]>;

describe('compatibility of the event schemas within a major version', () => {
  it('keeps every published type', () => {
    const missing = Object.keys(baseline).filter((name) => !eventSchemaNames().includes(name));
    expect(missing, 'a type, once published, stays until its consumers have moved').toEqual([]);
  });

  it.each(eventSchemaNames())('%s keeps every recorded field, type and presence', (name) => {
    const recorded = baseline[name];
    expect(recorded, `record the fields of the new type ${name} in ${baselineFile}`).toBeDefined();
    const current = schemaFields(readSchema(path.join(eventSchemasDir, `${name}.json`)));
    const broken = (recorded ?? []).filter((field) => !current.includes(field));
    expect(broken, 'removed, renamed or changed: make a new version of the type instead').toEqual([]);
    const added = current.filter((field) => !(recorded ?? []).includes(field));
    expect(added, `added: optional additions are fine, record them in ${baselineFile}`).toEqual([]);
  });
});

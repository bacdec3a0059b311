import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractConfigTable, renderConfigTable } from '../../../config/config-table.ts';
import { envVars } from '../../../config/schema.ts';

const readme = readFileSync(path.resolve(import.meta.dirname, '../../../docs/configuration.md'), 'utf8');

describe('README configuration table', () => {
  it('is exactly what the schema renders (run `npm run config:table` after changing the schema)', () => {
    expect(extractConfigTable(readme)).toBe(renderConfigTable());
  });

  it('lists every variable once', () => {
    const table = renderConfigTable();
    for (const name of Object.keys(envVars)) {
      expect(table.split('\n').filter((row) => row.startsWith(`| \`${name}\` |`))).toHaveLength(1);
    }
  });

  it('marks required variables and secrets', () => {
    const table = renderConfigTable();
    expect(table).toMatch(/\| `TOKEN_ENCRYPTION_KEY` \| \*\*required\*\* \| secret\. /);
    expect(table).toMatch(/\| `PORT` \| `3000` \| /);
  });
});

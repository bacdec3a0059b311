/**
 * Renders the configuration table of docs/configuration.md from the zod schema, so the two cannot drift:
 *   node scripts/config-table.ts          prints the table
 *   node scripts/config-table.ts --write  rewrites it in docs/configuration.md between the markers
 * test/unit/config/config-table.test.ts fails when docs/configuration.md and the schema differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { extractConfigTable, renderConfigTable, replaceConfigTable } from '../config/config-table.ts';

const target = path.resolve(import.meta.dirname, '..', 'docs', 'configuration.md');

if (process.argv.includes('--write')) {
  const text = readFileSync(target, 'utf8');
  if (extractConfigTable(text) === undefined) {
    throw new Error(`${path.relative(process.cwd(), target)} lacks the config-table markers`);
  }
  writeFileSync(target, replaceConfigTable(text, renderConfigTable()));
  console.log(`updated ${path.relative(process.cwd(), target)}`);
} else {
  console.log(renderConfigTable());
}

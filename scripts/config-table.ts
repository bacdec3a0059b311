/**
 * Renders the README configuration table from the zod schema, so the two cannot drift:
 *   node scripts/config-table.ts          prints the table
 *   node scripts/config-table.ts --write  rewrites it in README.md between the markers
 * test/unit/config/readme-table.test.ts fails when README.md and the schema differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderConfigTable, replaceConfigTable } from '../config/config-table.ts';

const readme = path.resolve(import.meta.dirname, '..', 'README.md');

if (process.argv.includes('--write')) {
  writeFileSync(readme, replaceConfigTable(readFileSync(readme, 'utf8'), renderConfigTable()));
  console.log(`updated ${path.relative(process.cwd(), readme)}`);
} else {
  console.log(renderConfigTable());
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseConnectorsConfig } from '../../../connectors/config/parse-connectors-config.ts';
import { type ResolvedMapping, resolveFieldNames } from '../../../connectors/config/resolve-field-names.ts';

/** The field list of a site that has every field config/connectors.example.yaml names. */
const siteFields = [
  { id: 'customfield_10001', name: 'Customer' },
  { id: 'customfield_10003', name: 'Team' },
  { id: 'customfield_10004', name: 'Runbook URL' },
  { id: 'environment', name: 'Environment' },
];

/** The resolved CRM and monitoring mappings of a connectors file, as a command sees them per site. */
function mappingsOf(yaml: string): { crm: ResolvedMapping; monitoring: ResolvedMapping } {
  const parsed = parseConnectorsConfig(yaml);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  const { crm, monitoring } = parsed.config.connectors;
  if (!crm || !monitoring) throw new Error('both connectors are expected');
  return {
    crm: resolveFieldNames(crm, siteFields).mapping,
    monitoring: resolveFieldNames(monitoring, siteFields).mapping,
  };
}

/** The mappings of the example file, config/connectors.example.yaml. */
export const exampleMappings = mappingsOf(
  readFileSync(path.resolve(import.meta.dirname, '../../../config/connectors.example.yaml'), 'utf8'),
);

/** The mappings of a file that enables both connectors and sets nothing else: every default. */
export const defaultMappings = mappingsOf('connectors:\n  crm: {}\n  monitoring: {}\n');

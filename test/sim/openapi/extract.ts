import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SERVED_OPERATIONS } from './operations.ts';

type Json = Record<string, unknown>;

/**
 * The official Jira OpenAPI document is 2.4 MB; the validation test needs only the responses of
 * the operations the simulator serves and the component schemas they reach. This keeps that
 * subset, unchanged, in jira-openapi-subset.json:
 *   node test/sim/openapi/extract.ts ../shared/reference/jira-cloud-openapi.json
 */
export function extractSubset(doc: Json): Json {
  const schemas = (doc.components as Json).schemas as Json;
  const paths: Record<string, Json> = {};
  const needed = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')) {
          const name = value.slice('#/components/schemas/'.length);
          if (!needed.has(name)) {
            needed.add(name);
            visit(schemas[name]);
          }
        } else visit(value);
      }
    }
  };
  for (const [method, p] of SERVED_OPERATIONS) {
    const operation = ((doc.paths as Json)[p] as Json | undefined)?.[method] as Json | undefined;
    if (!operation) throw new Error(`the OpenAPI document has no ${method.toUpperCase()} ${p}`);
    paths[p] = {
      ...(paths[p] ?? {}),
      [method]: { operationId: operation.operationId, responses: operation.responses },
    };
    visit(operation.responses);
  }
  const kept: Json = {};
  for (const name of [...needed].sort()) kept[name] = schemas[name];
  return { openapi: doc.openapi, info: doc.info, paths, components: { schemas: kept } };
}

export const SUBSET_FILE = path.join(import.meta.dirname, 'jira-openapi-subset.json');

if (process.argv[1] === import.meta.filename) {
  const source = process.argv[2];
  if (!source) throw new Error('usage: node test/sim/openapi/extract.ts <jira-cloud-openapi.json>');
  const subset = extractSubset(JSON.parse(readFileSync(source, 'utf8')) as Json);
  writeFileSync(SUBSET_FILE, `${JSON.stringify(subset, null, 2)}\n`);
  console.log(`wrote ${SUBSET_FILE}`);
}

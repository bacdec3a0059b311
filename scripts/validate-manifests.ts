/**
 * Validates the Kubernetes manifests under deploy/kubernetes/ (part of `npm run check`):
 *   node scripts/validate-manifests.ts [dir]
 * Each object against the Kubernetes JSON Schema of its kind (kubernetes-models), unknown fields
 * refused, then the relay's own rules (scripts/manifests/validate.ts). Prints one line per problem
 * and exits 1, or prints what it checked and exits 0.
 */
import path from 'node:path';
import { readManifests } from './manifests/read-manifests.ts';
import { validateManifests } from './manifests/validate.ts';

const root = path.resolve(import.meta.dirname, '..');
const dir = path.resolve(root, process.argv[2] ?? 'deploy/kubernetes');
const { manifests, problems: unreadable } = await readManifests(dir, root);
const problems = [...unreadable, ...validateManifests(manifests)];
for (const problem of problems) console.error(problem);
if (problems.length > 0) process.exit(1);
const files = new Set(manifests.map((m) => m.file)).size;
console.log(`${path.relative(root, dir)}: ${manifests.length} objects in ${files} files pass`);

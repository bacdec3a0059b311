import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Manifest } from './manifest.ts';

export interface ReadManifests {
  readonly manifests: readonly Manifest[];
  /** YAML syntax errors, one line each. */
  readonly problems: readonly string[];
}

/**
 * Every YAML document in every `.yaml`/`.yml` file under `dir`, subfolders included; `file` is the
 * path relative to `base` (the repository root, so problem lines name the file as a reader finds it).
 */
export async function readManifests(dir: string, base: string): Promise<ReadManifests> {
  const manifests: Manifest[] = [];
  const problems: string[] = [];
  for (const absolute of await yamlFiles(dir)) {
    const file = path.relative(base, absolute);
    for (const doc of parseAllDocuments(await readFile(absolute, 'utf8'))) {
      if (doc.errors.length > 0) {
        problems.push(...doc.errors.map((e) => `${file}: ${e.message.split('\n')[0]}`));
        continue;
      }
      const object: unknown = doc.toJS();
      if (object !== null && object !== undefined) manifests.push({ file, object });
    }
  }
  return { manifests, problems };
}

async function yamlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

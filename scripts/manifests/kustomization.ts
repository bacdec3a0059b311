import path from 'node:path';
import { z } from 'zod';
import type { Checked, Manifest } from './manifest.ts';

const apiVersion = 'kustomize.config.k8s.io/v1beta1';

/**
 * The part of Kustomize's Kustomization this folder uses; other fields are refused, so that a field
 * this validator does not understand (a patch, a generator) is not taken as checked.
 */
const kustomizationSchema = z.strictObject({
  apiVersion: z.literal(apiVersion),
  kind: z.literal('Kustomization'),
  namespace: z.string().min(1).optional(),
  resources: z.array(z.string().min(1)).min(1),
  images: z
    .array(z.strictObject({ name: z.string().min(1), newName: z.string().min(1), newTag: z.string().min(1) }))
    .optional(),
});

export type Kustomization = z.infer<typeof kustomizationSchema>;

export function isKustomization(object: unknown): boolean {
  return (object as { kind?: unknown } | null)?.kind === 'Kustomization';
}

export function kustomizationProblems(object: unknown): string[] {
  const result = kustomizationSchema.safeParse(object);
  if (result.success) return [];
  return result.error.issues.flatMap((issue) => {
    const at = issue.path.join('.');
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => `unknown field ${at ? `${at}.` : ''}${key}`);
    return [`${at || '(the object)'}: ${issue.message}`];
  });
}

/**
 * `kubectl apply -k` applies what `resources` lists: each entry must be a file here, and every
 * manifest beside the kustomization file must be listed (a forgotten one would never be applied).
 * Files in subfolders are not for this kustomization (the adapter's rule is applied elsewhere).
 */
export function kustomizationCoverage(
  kustomizations: readonly Checked<Kustomization>[],
  manifests: readonly Manifest[],
): string[] {
  const files = new Set(manifests.map((m) => m.file));
  return kustomizations.flatMap(({ file, object }) => {
    const dir = path.dirname(file);
    const listed = new Set(object.resources.map((r) => path.join(dir, r)));
    const missing = [...listed]
      .filter((f) => !files.has(f))
      .map((f) => `${file}: lists ${f}, which is not here`);
    const unlisted = [...files]
      .filter((f) => f !== file && path.dirname(f) === dir && !listed.has(f))
      .map((f) => `${file}: does not list ${f}, so \`kubectl apply -k\` would skip it`);
    return [...missing, ...unlisted];
  });
}

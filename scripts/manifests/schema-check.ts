import { findKind, kubernetesKinds } from './known-kinds.ts';
import { isKustomization, kustomizationProblems } from './kustomization.ts';
import { type Manifest, whereIs } from './manifest.ts';
import { unknownFields } from './unknown-fields.ts';

export interface SchemaCheck {
  /** Every manifest is a known kind that matches its schema: the relay's own rules can read them. */
  readonly wellFormed: boolean;
  readonly problems: readonly string[];
}

/**
 * Each manifest against its kind: a known apiVersion and kind, the Kubernetes JSON Schema
 * (kubernetes-models), no unknown fields. Kustomization files get their own small schema.
 */
export function checkSchemas(manifests: readonly Manifest[]): SchemaCheck {
  let wellFormed = true;
  const problems: string[] = [];
  for (const manifest of manifests) {
    const found = isKustomization(manifest.object)
      ? { violations: kustomizationProblems(manifest.object), unknownFields: [] }
      : kubernetesProblems(manifest.object);
    if (found.violations.length > 0) wellFormed = false;
    problems.push(...[...found.violations, ...found.unknownFields].map((p) => `${whereIs(manifest)}: ${p}`));
  }
  return { wellFormed, problems };
}

/** Unknown fields are kept apart: the rest of such an object still reads as its kind. */
function kubernetesProblems(object: unknown): { violations: string[]; unknownFields: string[] } {
  const { apiVersion, kind: kindName } = (object ?? {}) as { apiVersion?: unknown; kind?: unknown };
  const kind = findKind(apiVersion, kindName);
  if (!kind) {
    const known = kubernetesKinds.map((k) => `${k.apiVersion} ${k.kind}`).join(', ');
    return {
      violations: [
        `unknown apiVersion and kind "${String(apiVersion)} ${String(kindName)}" (known: ${known})`,
      ],
      unknownFields: [],
    };
  }
  return {
    violations: [
      ...schemaViolations(() => new kind.model(object as never).validate()),
      ...namelessness(object),
    ],
    unknownFields: unknownFields(kind, object).map((field) => `unknown field ${field}`),
  };
}

interface SchemaError {
  readonly instancePath: string;
  readonly message?: string;
}

function schemaViolations(validate: () => void): string[] {
  try {
    validate();
    return [];
  } catch (err) {
    const errors = (err as { errors?: readonly SchemaError[] }).errors;
    if (!errors) throw err;
    return errors.map((e) => `${fieldPath(e.instancePath) || '(the object)'} ${e.message ?? 'is invalid'}`);
  }
}

/** Every object here is applied by name; the schema alone would accept one without. */
function namelessness(object: unknown): string[] {
  const name = (object as { metadata?: { name?: unknown } }).metadata?.name;
  return typeof name === 'string' && name !== '' ? [] : ['metadata.name is missing'];
}

/** `/spec/template/spec/containers/0/name` as `spec.template.spec.containers[0].name`. */
function fieldPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((at, part) => (/^\d+$/.test(part) ? `${at}[${part}]` : at === '' ? part : `${at}.${part}`), '');
}

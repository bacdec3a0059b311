import path from 'node:path';
import ts from 'typescript';
import { type KubernetesKind, kubernetesKinds } from './known-kinds.ts';

/**
 * Fields an object has that its kind does not define (`readinessProb`, `spec.replicaz`), as paths.
 * The JSON Schemas behind kubernetes-models allow unknown fields, as the API server's defaults do,
 * and the API server drops them silently; kubeconform's strict mode refuses them, and so does this.
 * The fields of each kind come from kubernetes-models' TypeScript interfaces, read with the
 * TypeScript compiler: the same API version, the same fields as the schemas.
 */
export function unknownFields(kind: KubernetesKind, object: unknown): string[] {
  const { checker, types } = modelTypes();
  const type = types.get(kind);
  if (!type) throw new Error(`no TypeScript type for ${kind.apiVersion} ${kind.kind}`);
  const found: string[] = [];
  walk(checker, type, object, '', found);
  return found;
}

function walk(checker: ts.TypeChecker, declared: ts.Type, value: unknown, at: string, found: string[]): void {
  const type = checker.getNonNullableType(declared);
  if (Array.isArray(value)) {
    const item = checker.getIndexTypeOfType(type, ts.IndexKind.Number);
    if (!item) return;
    for (const [i, v] of value.entries()) walk(checker, item, v, `${at}[${i}]`, found);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  // Maps (labels, annotations, ConfigMap data, resource lists) take any key.
  const mapValue = checker.getIndexTypeOfType(type, ts.IndexKind.String);
  for (const [key, inner] of Object.entries(value)) {
    const field = at === '' ? key : `${at}.${key}`;
    const property = type.getProperty(key);
    if (property) walk(checker, checker.getTypeOfSymbol(property), inner, field, found);
    else if (mapValue) walk(checker, mapValue, inner, field, found);
    else found.push(field);
  }
}

interface ModelTypes {
  readonly checker: ts.TypeChecker;
  readonly types: ReadonlyMap<KubernetesKind, ts.Type>;
}

let cached: ModelTypes | undefined;

/** One small program that imports every known kind's interface; built once (about two seconds). */
function modelTypes(): ModelTypes {
  if (cached) return cached;
  const file = path.join(import.meta.dirname, '__kubernetes-model-types__.ts');
  const source = [
    ...kubernetesKinds.map((k, i) => `import type { ${k.typeName} as T${i} } from '${k.typeModule}';`),
    `export type Models = [${kubernetesKinds.map((_, i) => `T${i}`).join(', ')}];`,
  ].join('\n');
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2024,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readSource = host.getSourceFile.bind(host);
  const exists = host.fileExists.bind(host);
  host.getSourceFile = (name, language, ...rest) =>
    name === file ? ts.createSourceFile(name, source, language) : readSource(name, language, ...rest);
  host.fileExists = (name) => name === file || exists(name);
  const program = ts.createProgram([file], options, host);
  const checker = program.getTypeChecker();
  const sourceFile = program.getSourceFile(file);
  const models = sourceFile?.statements.find(ts.isTypeAliasDeclaration);
  const diagnostics = sourceFile ? program.getSemanticDiagnostics(sourceFile) : [];
  if (!models || diagnostics.length > 0) {
    const messages = diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
    throw new Error(`the kubernetes-models types did not compile: ${messages.join('; ')}`);
  }
  const tuple = checker.getTypeAtLocation(models.name);
  const types = new Map(
    kubernetesKinds.map((k, i) => {
      const element = tuple.getProperty(String(i));
      if (!element) throw new Error(`${k.typeModule} has no ${k.typeName}`);
      return [k, checker.getTypeOfSymbol(element)] as const;
    }),
  );
  cached = { checker, types };
  return cached;
}

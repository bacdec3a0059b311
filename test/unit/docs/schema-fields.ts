/**
 * A schema as the list of fields a consumer relies on: every property path with its type and
 * whether it is always there (`each` for array items and map values), e.g.
 * `payload.custom_details.priority: string|null, required`. Comparing these lists across versions
 * is how the compatibility rule (fields are only added within a major version) is checked.
 */

type Schema = Readonly<Record<string, unknown>>;

function resolve(node: Schema, root: Schema): Schema {
  const ref = node.$ref;
  if (typeof ref !== 'string') return node;
  const target = (root.$defs as Record<string, Schema> | undefined)?.[ref.replace('#/$defs/', '')];
  if (!target) throw new Error(`unresolved ${ref}`);
  return {
    ...resolve(target, root),
    ...Object.fromEntries(Object.entries(node).filter(([k]) => k !== '$ref')),
  };
}

function branches(node: Schema, root: Schema): Schema[] {
  const resolved = resolve(node, root);
  const alternatives = (resolved.oneOf ?? resolved.anyOf) as Schema[] | undefined;
  return alternatives ? alternatives.flatMap((b) => branches(b, root)) : [resolved];
}

/** `string|null`, `const:"trigger"`, `enum:"new"|"done"`, `object`, `any`. */
function typeOf(node: Schema, root: Schema): string {
  const kinds = branches(node, root).map((b) => {
    if ('const' in b) return `const:${JSON.stringify(b.const)}`;
    if (Array.isArray(b.enum)) return `enum:${b.enum.map((v) => JSON.stringify(v)).join('|')}`;
    if (Array.isArray(b.type)) return b.type.join('|');
    return typeof b.type === 'string' ? b.type : 'any';
  });
  return [...new Set(kinds)].sort().join('|');
}

/** Every field of the schema: `path: type, required|optional`, sorted. */
export function schemaFields(root: Schema): string[] {
  const out: string[] = [];
  const walk = (node: Schema, at: string): void => {
    for (const branch of branches(node, root)) {
      const required = new Set((branch.required ?? []) as string[]);
      for (const [name, child] of Object.entries((branch.properties ?? {}) as Record<string, Schema>)) {
        const path = at === '' ? name : `${at}.${name}`;
        out.push(`${path}: ${typeOf(child, root)}, ${required.has(name) ? 'required' : 'optional'}`);
        walk(child, path);
      }
      if (typeof branch.additionalProperties === 'object') {
        out.push(`${at}.*: ${typeOf(branch.additionalProperties as Schema, root)}, each`);
      }
      if (typeof branch.items === 'object') {
        out.push(`${at}[]: ${typeOf(branch.items as Schema, root)}, each`);
        walk(branch.items as Schema, `${at}[]`);
      }
    }
  };
  walk(root, '');
  return [...new Set(out)].sort();
}

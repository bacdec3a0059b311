/** One YAML document of deploy/kubernetes/: the file it came from and what it parsed to. */
export interface Manifest {
  readonly file: string;
  readonly object: unknown;
}

/** A manifest whose schema checks passed, typed as its kind's model. */
export interface Checked<T> {
  readonly file: string;
  readonly object: T;
}

interface Identified {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string };
}

/** `file: Kind/name`, the start of every problem line about one object. */
export function whereIs(manifest: { readonly file: string; readonly object: unknown }): string {
  const object = (manifest.object ?? {}) as Identified;
  const kind = typeof object.kind === 'string' ? object.kind : '(no kind)';
  const name = object.metadata?.name;
  return `${manifest.file}: ${kind}${typeof name === 'string' ? `/${name}` : ''}`;
}

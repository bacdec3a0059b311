/** What REST routes and the control API hand to Mutations, and what they get back. */
export interface EntityProperty {
  key: string;
  value: unknown;
}

export interface IssueWrite {
  fields?: Record<string, unknown>;
  update?: Record<string, unknown>;
  properties?: EntityProperty[];
  historyMetadata?: Record<string, unknown>;
  transition?: { id?: string | number };
}

export type WriteResult<T> =
  | { ok: true; value: T }
  | { ok: false; errorMessages: string[]; errors: Record<string, string> };

export const fail = <T>(errors: Record<string, string>, ...errorMessages: string[]): WriteResult<T> => ({
  ok: false,
  errorMessages,
  errors,
});

/** Property keys up to 255 characters, values up to 32,768 bytes of JSON. */
export function checkProperties(properties: EntityProperty[] | undefined): string | undefined {
  for (const p of properties ?? []) {
    if (typeof p?.key !== 'string' || p.key.length === 0 || p.key.length > 255)
      return 'The property key must be between 1 and 255 characters long.';
    if (p.value === undefined || Buffer.byteLength(JSON.stringify(p.value)) > 32_768)
      return 'The property value must be non-empty JSON of at most 32768 bytes.';
  }
  return undefined;
}

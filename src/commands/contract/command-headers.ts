/** Kafka headers as kafkajs hands them over: a repeated header comes as an array. */
export type KafkaHeaders = Readonly<Record<string, Buffer | string | (Buffer | string)[] | undefined>>;

/** One header read: absent, its text, or why it cannot be read. */
export type HeaderRead =
  | { readonly kind: 'absent' }
  | { readonly kind: 'value'; readonly value: string }
  | { readonly kind: 'unreadable'; readonly reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The text of a header value or message key; undefined when it is not UTF-8 or not text at all. */
export function decodeText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) {
    try {
      return utf8.decode(value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Looks headers up by name ignoring case (the binding writes `ce_id`, some producers `CE_ID`). A
 * header given more than once is read when every copy says the same, else it is unreadable: which
 * copy to trust is not ours to guess.
 */
export function headerReader(headers: KafkaHeaders | null | undefined): (name: string) => HeaderRead {
  const byName = new Map<string, unknown[]>();
  if (typeof headers === 'object' && headers !== null) {
    for (const [name, raw] of Object.entries(headers)) {
      if (raw === undefined || raw === null) continue;
      const values = byName.get(name.toLowerCase()) ?? [];
      values.push(...(Array.isArray(raw) ? raw : [raw]));
      byName.set(name.toLowerCase(), values);
    }
  }
  return (name) => {
    const raw = byName.get(name);
    if (raw === undefined || raw.length === 0) return { kind: 'absent' };
    const texts = raw.map(decodeText);
    if (texts.some((text) => text === undefined)) return { kind: 'unreadable', reason: 'not UTF-8 text' };
    const distinct = new Set(texts);
    if (distinct.size > 1)
      return { kind: 'unreadable', reason: `given ${raw.length} times with different values` };
    return { kind: 'value', value: texts[0] as string };
  };
}

/**
 * A defensive view of ADF (Atlassian Document Format) JSON. Payloads come from Jira and are not
 * trusted to follow the schema, so every accessor tolerates missing or mistyped parts.
 */
export interface AdfMark {
  readonly type: string;
  readonly attrs: Readonly<Record<string, unknown>>;
}

export interface AdfNode {
  readonly type: string;
  readonly text: string;
  readonly attrs: Readonly<Record<string, unknown>>;
  readonly content: readonly AdfNode[] | undefined;
  readonly marks: readonly AdfMark[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for an ADF document root (`{ type: 'doc', content: [...] }`). */
export function isAdfDoc(value: unknown): boolean {
  return isRecord(value) && value.type === 'doc' && Array.isArray(value.content);
}

export function toAdfNode(value: unknown): AdfNode | undefined {
  if (!isRecord(value) || typeof value.type !== 'string') return undefined;
  const attrs = isRecord(value.attrs) ? value.attrs : {};
  const marks = Array.isArray(value.marks)
    ? value.marks.flatMap((m) =>
        isRecord(m) && typeof m.type === 'string'
          ? [{ type: m.type, attrs: isRecord(m.attrs) ? m.attrs : {} }]
          : [],
      )
    : [];
  return {
    type: value.type,
    text: typeof value.text === 'string' ? value.text : '',
    attrs,
    content: Array.isArray(value.content) ? toAdfNodes(value.content) : undefined,
    marks,
  };
}

function toAdfNodes(values: readonly unknown[]): AdfNode[] {
  return values.flatMap((v) => {
    const node = toAdfNode(v);
    return node ? [node] : [];
  });
}

/** A string attribute, or undefined when absent or not a string/number. */
export function attr(node: { attrs: Readonly<Record<string, unknown>> }, name: string): string | undefined {
  const value = node.attrs[name];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** Node types that live inside a paragraph; everything else is treated as a block. */
export const inlineTypes: ReadonlySet<string> = new Set([
  'text',
  'hardBreak',
  'mention',
  'emoji',
  'date',
  'status',
  'inlineCard',
  'mediaInline',
  'placeholder',
  'inlineExtension',
]);

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

/**
 * How deep a document is rendered as structure. The renderers recurse once or more per level, so
 * a document nested some thousands of levels (a body of a megabyte can nest far more) would
 * exhaust the stack; real documents stay within a few dozen levels.
 */
export const maxAdfDepth = 100;

/** The node, with content nested past `maxAdfDepth` levels flattened into a text node. */
export function toAdfNode(value: unknown, depth = 0): AdfNode | undefined {
  if (!isRecord(value) || typeof value.type !== 'string') return undefined;
  if (depth >= maxAdfDepth) return flattenedNode(flattenedText(value));
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
    content: Array.isArray(value.content) ? toAdfNodes(value.content, depth + 1) : undefined,
    marks,
  };
}

function toAdfNodes(values: readonly unknown[], depth: number): AdfNode[] {
  return values.flatMap((v) => {
    const node = toAdfNode(v, depth);
    return node ? [node] : [];
  });
}

/**
 * Flattened text as a paragraph: read as its content wherever a block, a list item, a cell or an
 * inline node stands, and as its own `text` where only that is read (a code block's lines).
 */
function flattenedNode(text: string): AdfNode {
  const content = [{ type: 'text', text, attrs: {}, content: undefined, marks: [] }];
  return { type: 'paragraph', text, attrs: {}, content, marks: [] };
}

/**
 * The text of a subtree in document order, walked with an explicit stack (no recursion, whatever
 * the depth): each node's `text` (or `attrs.text`, as mentions and statuses carry it), blocks
 * separated by a space, so the words of content too deep to render as structure are not lost. One
 * line, not one per block: every line would be indented as deep as the structure above it.
 */
function flattenedText(root: Record<string, unknown>): string {
  const pieces: string[] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!isRecord(node) || typeof node.type !== 'string') continue;
    const attrs = isRecord(node.attrs) ? node.attrs : {};
    const text = typeof node.text === 'string' ? node.text : typeof attrs.text === 'string' ? attrs.text : '';
    if (!inlineTypes.has(node.type) && pieces.length > 0 && pieces.at(-1) !== ' ') pieces.push(' ');
    if (text !== '') pieces.push(text);
    if (Array.isArray(node.content))
      for (let i = node.content.length - 1; i >= 0; i--) stack.push(node.content[i]);
  }
  return pieces.join('').trim();
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

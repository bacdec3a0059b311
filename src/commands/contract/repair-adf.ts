import type { AdfDocumentMark, AdfDocumentNode } from './adf-document.ts';

/**
 * marklassian's output made valid ADF (the schema Jira checks writes against). It is close, but
 * some Markdown gives nodes ADF forbids: an empty text node (an empty code block), an empty list
 * item, headings, lists or rules inside a blockquote (ADF quotes hold paragraphs only), blocks and
 * nested lists inside a task item (inline only), an empty table header. Such content is kept as
 * paragraphs rather than dropped. Images become links (an external media node needs Jira to fetch
 * it), and links other than http(s) and mailto lose their link mark (not their text).
 */

interface Node {
  readonly type: string;
  readonly attrs?: Readonly<Record<string, unknown>>;
  readonly content?: readonly Node[];
  readonly marks?: readonly AdfDocumentMark[];
  readonly text?: string;
}

const safeHref = /^(?:https?:|mailto:)/i;
/** What a list item may hold (ADF also allows mediaSingle, which this output never has). */
const listItemChildren = new Set(['paragraph', 'codeBlock', 'bulletList', 'orderedList']);
/** What a table cell may not hold, of the blocks this output has. */
const notInCells = new Set(['table']);

const paragraph = (content: AdfDocumentNode[]): AdfDocumentNode => ({ type: 'paragraph', content });
const text = (value: string, marks?: readonly AdfDocumentMark[]): AdfDocumentNode =>
  marks && marks.length > 0 ? { type: 'text', text: value, marks } : { type: 'text', text: value };
const orEmptyParagraph = (nodes: AdfDocumentNode[]) => (nodes.length > 0 ? nodes : [paragraph([])]);

/** Inline content: text (never empty) and hard breaks; links only to http(s) and mailto. */
function inline(nodes: readonly Node[] | undefined): AdfDocumentNode[] {
  return (nodes ?? []).flatMap((node): AdfDocumentNode[] => {
    if (node.type === 'hardBreak') return [{ type: 'hardBreak' }];
    if (node.type !== 'text' || !node.text) return [];
    const marks = (node.marks ?? []).filter((m) => m.type !== 'link' || safeHref.test(String(m.attrs?.href)));
    return [text(node.text, marks)];
  });
}

/** The document's blocks, repaired. */
export function repairBlocks(nodes: readonly Node[] | undefined): AdfDocumentNode[] {
  return (nodes ?? []).flatMap(repairBlock);
}

function repairBlock(node: Node): AdfDocumentNode[] {
  switch (node.type) {
    case 'paragraph':
      return [paragraph(inline(node.content))];
    case 'heading':
      return [{ type: 'heading', attrs: { level: headingLevel(node) }, content: inline(node.content) }];
    case 'codeBlock':
      return [codeBlock(node)];
    case 'bulletList':
    case 'orderedList':
      return list(node);
    case 'taskList':
      return [taskList(node)];
    case 'blockquote':
      return [{ type: 'blockquote', content: orEmptyParagraph(asParagraphs(repairBlocks(node.content))) }];
    case 'table':
      return table(node);
    case 'rule':
      return [{ type: 'rule' }];
    default:
      return asParagraphs([node]);
  }
}

function headingLevel(node: Node): number {
  const level = node.attrs?.level;
  return typeof level === 'number' && level >= 1 && level <= 6 ? Math.floor(level) : 1;
}

function codeBlock(node: Node): AdfDocumentNode {
  const code = (node.content ?? []).map((t) => t.text ?? '').join('');
  const language = node.attrs?.language;
  return {
    type: 'codeBlock',
    ...(typeof language === 'string' && language !== '' ? { attrs: { language } } : {}),
    content: code === '' ? [] : [text(code)],
  };
}

function list(node: Node): AdfDocumentNode[] {
  const items = (node.content ?? []).map(listItem);
  if (items.length === 0) return [];
  if (node.type === 'bulletList') return [{ type: 'bulletList', content: items }];
  const order = node.attrs?.order;
  const start = typeof order === 'number' && Number.isSafeInteger(order) && order >= 0 ? order : 1;
  return [{ type: 'orderedList', attrs: { order: start }, content: items }];
}

/** A list item starts with a paragraph or code block and holds only those and nested lists. */
function listItem(node: Node): AdfDocumentNode {
  const children = repairBlocks(node.content).flatMap((child) =>
    listItemChildren.has(child.type) ? [child] : asParagraphs([child]),
  );
  const first = children[0]?.type;
  if (first !== 'paragraph' && first !== 'codeBlock') children.unshift(paragraph([]));
  return { type: 'listItem', content: children };
}

/** Task items hold inline content only: their blocks join it, nested task lists follow the item. */
function taskList(node: Node): AdfDocumentNode {
  const content: AdfDocumentNode[] = [];
  for (const item of node.content ?? []) {
    if (item.type === 'taskList') {
      content.push(taskList(item));
      continue;
    }
    const line: AdfDocumentNode[] = [];
    const nested: AdfDocumentNode[] = [];
    for (const child of item.content ?? []) {
      if (child.type === 'text' || child.type === 'hardBreak') line.push(...inline([child]));
      else if (child.type === 'taskList') nested.push(taskList(child));
      else
        for (const p of asParagraphs(repairBlock(child))) {
          if (line.length > 0) line.push({ type: 'hardBreak' });
          line.push(...(p.content ?? []));
        }
    }
    content.push({ type: 'taskItem', attrs: taskItemAttrs(item), content: line }, ...nested);
  }
  if (content[0]?.type !== 'taskItem')
    content.unshift({ type: 'taskItem', attrs: taskItemAttrs({ type: 'taskItem' }), content: [] });
  return { type: 'taskList', attrs: { localId: localIdOf(node) }, content };
}

function taskItemAttrs(item: Node): Record<string, string> {
  return { localId: localIdOf(item), state: item.attrs?.state === 'DONE' ? 'DONE' : 'TODO' };
}

function localIdOf(node: Node): string {
  const id = node.attrs?.localId;
  return typeof id === 'string' && id !== '' ? id : `${node.type}-local`;
}

function table(node: Node): AdfDocumentNode[] {
  const rows = (node.content ?? []).map(
    (row): AdfDocumentNode => ({
      type: 'tableRow',
      content: (row.content ?? []).map((cell) => ({
        type: cell.type === 'tableHeader' ? 'tableHeader' : 'tableCell',
        content: orEmptyParagraph(
          repairBlocks(cell.content).flatMap((b) => (notInCells.has(b.type) ? asParagraphs([b]) : [b])),
        ),
      })),
    }),
  );
  return rows.length > 0 ? [{ type: 'table', content: rows }] : [];
}

/** Any content as paragraphs, keeping its text: for places that hold paragraphs only. */
function asParagraphs(nodes: readonly Node[] | undefined): AdfDocumentNode[] {
  const out: AdfDocumentNode[] = [];
  let run: Node[] = [];
  const flush = () => {
    if (run.length > 0) out.push(paragraph(inline(run)));
    run = [];
  };
  for (const node of nodes ?? []) {
    if (node.type === 'text' || node.type === 'hardBreak') run.push(node);
    else {
      flush();
      out.push(...blockAsParagraphs(node));
    }
  }
  flush();
  return out;
}

function blockAsParagraphs(node: Node): AdfDocumentNode[] {
  switch (node.type) {
    case 'paragraph':
    case 'heading':
      return [paragraph(inline(node.content))];
    case 'codeBlock':
      return [paragraph(codeLines(node))];
    case 'bulletList':
    case 'orderedList':
      return (node.content ?? []).flatMap((item, i) =>
        prefixed(listMarker(node, i), asParagraphs(item.content)),
      );
    case 'taskItem':
      return prefixed(node.attrs?.state === 'DONE' ? '[x] ' : '[ ] ', asParagraphs(node.content));
    case 'mediaSingle':
      return mediaLink(node);
    case 'rule':
      return [];
    default:
      return asParagraphs(node.content);
  }
}

function listMarker(node: Node, index: number): string {
  if (node.type === 'bulletList') return '- ';
  const order = node.attrs?.order;
  return `${(typeof order === 'number' && Number.isSafeInteger(order) ? order : 1) + index}. `;
}

/** The paragraphs with `marker` before the first one's text; the paragraphs of content merged. */
function prefixed(marker: string, paragraphs: AdfDocumentNode[]): AdfDocumentNode[] {
  const merged = paragraphs.reduce<AdfDocumentNode[]>((out, p) => {
    if (out.length > 0) out.push({ type: 'hardBreak' });
    out.push(...(p.content ?? []));
    return out;
  }, []);
  return [paragraph([text(marker), ...merged])];
}

function codeLines(node: Node): AdfDocumentNode[] {
  const code = (node.content ?? []).map((t) => t.text ?? '').join('');
  return code
    .split('\n')
    .flatMap((line, i): AdfDocumentNode[] => [
      ...(i > 0 ? [{ type: 'hardBreak' }] : []),
      ...(line === '' ? [] : [text(line, [{ type: 'code' }])]),
    ]);
}

function mediaLink(node: Node): AdfDocumentNode[] {
  const attrs = node.content?.[0]?.attrs ?? {};
  const url = typeof attrs.url === 'string' ? attrs.url : '';
  const label = typeof attrs.alt === 'string' && attrs.alt.trim() !== '' ? attrs.alt : url;
  if (label === '') return [];
  const marks = safeHref.test(url) ? [{ type: 'link', attrs: { href: url } }] : [];
  return [paragraph([text(label, marks)])];
}

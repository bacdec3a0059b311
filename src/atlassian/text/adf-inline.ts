import { type AdfMark, type AdfNode, attr } from './adf-node.ts';
import {
  escapeMarkdown,
  inlineCode,
  markdownHref,
  mentionLabel,
  type TextMode,
  type TextOptions,
} from './markdown.ts';

export interface RenderContext {
  readonly mode: TextMode;
  readonly opts: TextOptions;
}

/** Renders a run of inline nodes (a paragraph's content) as one string; `\n` only from hard breaks. */
export function renderInline(nodes: readonly AdfNode[], ctx: RenderContext): string {
  return mergeTextRuns(nodes)
    .map((node) => renderInlineNode(node, ctx))
    .join('');
}

function renderInlineNode(node: AdfNode, ctx: RenderContext): string {
  const md = ctx.mode === 'markdown';
  switch (node.type) {
    case 'text':
      return renderMarkedText(node.text, node.marks, ctx);
    case 'hardBreak':
      return md ? '\\\n' : '\n';
    case 'mention': {
      const label = mentionLabel(attr(node, 'id') ?? 'unknown', attr(node, 'text'), ctx.opts);
      return md ? escapeMarkdown(label) : label;
    }
    case 'emoji':
      return attr(node, 'text') ?? attr(node, 'shortName') ?? '';
    case 'date':
      return formatDate(attr(node, 'timestamp'));
    case 'status':
      return plain(attr(node, 'text') ?? '', ctx);
    case 'inlineCard':
      return renderUrl(cardUrl(node), ctx);
    case 'mediaInline':
      return plain(attachmentLabel(node), ctx);
    case 'placeholder':
      // Placeholder text is an editor hint, not content.
      return '';
    default:
      return renderUnknownInline(node, ctx);
  }
}

/** Unknown inline nodes: their content if any, else `attrs.text`, else `attrs.url`. */
export function renderUnknownInline(node: AdfNode, ctx: RenderContext): string {
  if (node.content) return renderInline(node.content, ctx);
  const text = attr(node, 'text');
  if (text !== undefined) return plain(text, ctx);
  const url = attr(node, 'url');
  return url === undefined ? '' : renderUrl(url, ctx);
}

function plain(text: string, ctx: RenderContext): string {
  return ctx.mode === 'markdown' ? escapeMarkdown(text) : text;
}

export function renderUrl(url: string, ctx: RenderContext): string {
  if (url === '') return '';
  return ctx.mode === 'markdown' ? `<${url.replace(/[<>\s]/g, encodeURIComponent)}>` : url;
}

/** Card URL: `attrs.url`, or the JSON-LD `attrs.data.url` smart links may carry instead. */
export function cardUrl(node: AdfNode): string {
  const url = attr(node, 'url');
  if (url !== undefined) return url;
  const data = node.attrs.data;
  if (typeof data === 'object' && data !== null && 'url' in data && typeof data.url === 'string') {
    return data.url;
  }
  return '';
}

export function attachmentLabel(node: AdfNode): string {
  const name = attr(node, 'alt') ?? attr(node, 'id') ?? 'file';
  return `[attachment: ${name}]`;
}

function formatDate(timestamp: string | undefined): string {
  const ms = Number(timestamp);
  if (timestamp === undefined || !Number.isFinite(ms)) return timestamp ?? '';
  return new Date(ms).toISOString().slice(0, 10);
}

function renderMarkedText(text: string, marks: readonly AdfMark[], ctx: RenderContext): string {
  const link = marks.find((m) => m.type === 'link');
  const href = link ? attr(link, 'href') : undefined;
  if (ctx.mode === 'text') {
    return href && href !== text && href !== `mailto:${text}` ? `${text} (${href})` : text;
  }
  const has = (type: string) => marks.some((m) => m.type === type);
  // Emphasis markers must hug non-space characters, so surrounding spaces stay outside them.
  const [, lead = '', core = '', trail = ''] = /^(\s*)([\s\S]*?)(\s*)$/.exec(text) ?? [];
  if (core === '') return text;
  let out = has('code') ? inlineCode(core) : escapeMarkdown(core);
  if (has('strong')) out = `**${out}**`;
  if (has('em')) out = `_${out}_`;
  if (has('strike')) out = `~~${out}~~`;
  if (href) out = `[${out}](${markdownHref(href)})`;
  return lead + out + trail;
}

/** Adjacent text nodes with the same marks become one, so Markdown does not get `**a****b**`. */
function mergeTextRuns(nodes: readonly AdfNode[]): AdfNode[] {
  const out: AdfNode[] = [];
  for (const node of nodes) {
    const last = out.at(-1);
    if (node.type === 'text' && last?.type === 'text' && sameMarks(last.marks, node.marks)) {
      out[out.length - 1] = { ...last, text: last.text + node.text };
    } else {
      out.push(node);
    }
  }
  return out;
}

function sameMarks(a: readonly AdfMark[], b: readonly AdfMark[]): boolean {
  return a.length === b.length && JSON.stringify(a) === JSON.stringify(b);
}

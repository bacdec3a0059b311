import {
  attachmentLabel,
  cardUrl,
  type RenderContext,
  renderInline,
  renderUnknownInline,
  renderUrl,
} from './adf-inline.ts';
import { type AdfNode, attr, inlineTypes } from './adf-node.ts';
import { codeFence, escapeMarkdown, flattenCell, prefixLines, renderTable } from './markdown.ts';

/**
 * Renders block content (a document, a list item, a cell...). Blocks are separated by a blank
 * line, or by a single newline when `tight` (list items). Stray inline nodes between blocks are
 * gathered into a paragraph, so unknown containers with mixed content still read well.
 */
export function renderBlocks(nodes: readonly AdfNode[], ctx: RenderContext, tight = false): string {
  const parts: string[] = [];
  let run: AdfNode[] = [];
  const flush = () => {
    if (run.length > 0) parts.push(renderInline(run, ctx));
    run = [];
  };
  for (const node of nodes) {
    if (inlineTypes.has(node.type)) {
      run.push(node);
      continue;
    }
    flush();
    parts.push(renderBlock(node, ctx));
  }
  flush();
  return parts.filter((p) => p.trim() !== '').join(tight ? '\n' : '\n\n');
}

function renderBlock(node: AdfNode, ctx: RenderContext): string {
  const md = ctx.mode === 'markdown';
  const content = node.content ?? [];
  switch (node.type) {
    case 'paragraph':
      return renderInline(content, ctx);
    case 'heading': {
      const text = renderInline(content, ctx);
      const level = Math.min(6, Math.max(1, Number(attr(node, 'level')) || 1));
      return md ? `${'#'.repeat(level)} ${text}` : text;
    }
    case 'bulletList':
    case 'orderedList':
      return renderList(node, ctx);
    case 'taskList':
    case 'decisionList':
      return renderChecklist(node, ctx);
    case 'blockquote':
      return quote(renderBlocks(content, ctx), ctx);
    case 'panel':
      return renderPanel(node, ctx);
    case 'codeBlock':
      return renderCode(node, ctx);
    case 'rule':
      return '---';
    case 'expand':
    case 'nestedExpand':
      return renderExpand(node, ctx);
    case 'table':
      return renderAdfTable(node, ctx);
    case 'mediaSingle':
    case 'mediaGroup':
      return renderBlocks(content, ctx, true);
    case 'media':
      return renderMedia(node, ctx);
    case 'caption':
      return renderInline(content, ctx);
    case 'blockCard':
    case 'embedCard':
      return renderUrl(cardUrl(node), ctx);
    default:
      return node.content ? renderBlocks(node.content, ctx) : renderUnknownInline(node, ctx);
  }
}

function quote(block: string, ctx: RenderContext): string {
  return ctx.mode === 'markdown' ? prefixLines(block, '> ', '> ') : block;
}

function renderList(node: AdfNode, ctx: RenderContext): string {
  const start = Math.max(0, Math.trunc(Number(attr(node, 'order') ?? 1)) || 1);
  const items = (node.content ?? []).map((item, i) => {
    const marker = node.type === 'orderedList' ? `${start + i}. ` : '- ';
    const body = item.content ? renderBlocks(item.content, ctx, true) : renderUnknownInline(item, ctx);
    return prefixLines(body, marker, ' '.repeat(marker.length));
  });
  return items.join('\n');
}

/** Task items (`[ ]`/`[x]`) and decisions; nested lists inside them are indented. */
function renderChecklist(node: AdfNode, ctx: RenderContext): string {
  const md = ctx.mode === 'markdown';
  const lines = (node.content ?? []).map((item) => {
    if (item.type === 'taskList' || item.type === 'decisionList') {
      return prefixLines(renderChecklist(item, ctx), '  ', '  ');
    }
    const body = renderBlocks(item.content ?? [], ctx, true);
    let marker: string;
    if (item.type === 'decisionItem') marker = 'Decision: ';
    else marker = attr(item, 'state') === 'DONE' ? '[x] ' : '[ ] ';
    const first = md ? `- ${marker}` : marker;
    return prefixLines(body, first, ' '.repeat(md ? 2 : marker.length));
  });
  return lines.join('\n');
}

const panelLabels: Readonly<Record<string, string>> = {
  info: 'Info',
  note: 'Note',
  warning: 'Warning',
  error: 'Error',
  success: 'Success',
  tip: 'Tip',
};

function renderPanel(node: AdfNode, ctx: RenderContext): string {
  const body = renderBlocks(node.content ?? [], ctx);
  const label = panelLabels[attr(node, 'panelType') ?? ''];
  if (ctx.mode === 'text') return label ? `${label}: ${body}` : body;
  return quote(label ? `**${label}:** ${body}` : body, ctx);
}

function renderCode(node: AdfNode, ctx: RenderContext): string {
  const code = (node.content ?? []).map((n) => n.text).join('');
  if (ctx.mode === 'text') return code;
  const fence = codeFence(code);
  return `${fence}${attr(node, 'language') ?? ''}\n${code}\n${fence}`;
}

function renderExpand(node: AdfNode, ctx: RenderContext): string {
  const title = attr(node, 'title')?.trim();
  const body = renderBlocks(node.content ?? [], ctx);
  if (!title) return body;
  const heading = ctx.mode === 'markdown' ? `**${escapeMarkdown(title)}**` : title;
  return body ? `${heading}\n\n${body}` : heading;
}

function renderAdfTable(node: AdfNode, ctx: RenderContext): string {
  const rows = (node.content ?? []).map((row) =>
    (row.content ?? []).map((cell) => flattenCell(renderBlocks(cell.content ?? [], ctx, true), ctx.mode)),
  );
  return renderTable(rows, ctx.mode);
}

function renderMedia(node: AdfNode, ctx: RenderContext): string {
  const url = attr(node, 'url');
  if (attr(node, 'type') === 'external' && url) {
    return ctx.mode === 'markdown' ? `![${escapeMarkdown(attr(node, 'alt') ?? '')}](<${url}>)` : url;
  }
  const label = attachmentLabel(node);
  return ctx.mode === 'markdown' ? escapeMarkdown(label) : label;
}

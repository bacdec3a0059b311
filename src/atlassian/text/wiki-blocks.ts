import { codeFence, escapeMarkdown, flattenCell, prefixLines, renderTable } from './markdown.ts';
import { type InlineContext, renderWikiInline } from './wiki-inline.ts';

/**
 * Jira wiki markup, block part: `{code}`/`{noformat}` (verbatim), `{quote}`, `{panel}`, `h1.`-`h6.`,
 * `bq.`, `*`/`#`/`-` lists (nested by repeating the marker), `||head||` and `|cell|` tables, `----`
 * rules and paragraphs. A single newline inside a paragraph is a line break, as Jira renders it.
 */
type WikiBlock =
  | { readonly kind: 'lines'; readonly text: string }
  | { readonly kind: 'code'; readonly lang: string; readonly body: string }
  | { readonly kind: 'quote'; readonly children: readonly WikiBlock[] }
  | { readonly kind: 'panel'; readonly title: string; readonly children: readonly WikiBlock[] };

export function renderWiki(src: string, ctx: InlineContext): string {
  return renderBlockList(parseWikiBlocks(src.replace(/\r\n?/g, '\n')), ctx);
}

/**
 * Splits out `{code}`, `{noformat}`, `{quote}` and `{panel}` blocks. Nesting cannot go deep: a
 * block ends at the first closing tag of its name, so a quote or panel cannot hold another of its
 * kind. The work stays linear in the text whatever it holds: tags are looked for only up to the
 * last `}` (past it none can end), and a name found unclosed once is not looked for again.
 */
function parseWikiBlocks(src: string): WikiBlock[] {
  const open = /\{(code|noformat|quote|panel)((?::[^}]*)?)\}/g;
  const searchable = src.slice(0, src.lastIndexOf('}') + 1);
  const unclosed = new Set<string>();
  const blocks: WikiBlock[] = [];
  let pos = 0;
  for (let m = open.exec(searchable); m !== null; m = open.exec(searchable)) {
    const [tag, name = '', params = ''] = m;
    const bodyStart = m.index + tag.length;
    const closeTag = `{${name}}`;
    const verbatim = name === 'code' || name === 'noformat';
    if (unclosed.has(name)) continue;
    const close = src.indexOf(closeTag, bodyStart);
    if (close === -1 && !verbatim) {
      unclosed.add(name); // an unclosed {quote} or {panel} is just text, and so is every later one
      continue;
    }
    blocks.push({ kind: 'lines', text: src.slice(pos, m.index) });
    const body = src.slice(bodyStart, close === -1 ? src.length : close);
    if (verbatim) {
      blocks.push({
        kind: 'code',
        lang: name === 'code' ? codeLanguage(params) : '',
        body: trimNewlines(body),
      });
    } else {
      const children = parseWikiBlocks(body);
      blocks.push(
        name === 'quote'
          ? { kind: 'quote', children }
          : { kind: 'panel', title: param(params, 'title') ?? '', children },
      );
    }
    pos = close === -1 ? src.length : close + closeTag.length;
    open.lastIndex = pos;
  }
  blocks.push({ kind: 'lines', text: src.slice(pos) });
  return blocks;
}

function trimNewlines(body: string): string {
  return body.replace(/^[ \t]*\n/, '').replace(/\n[ \t]*$/, '');
}

function codeLanguage(params: string): string {
  const parts = params.replace(/^:/, '').split('|').filter(Boolean);
  const bare = parts.find((p) => !p.includes('='));
  return (bare ?? param(params, 'language') ?? '').trim();
}

function param(params: string, name: string): string | undefined {
  for (const part of params.replace(/^:/, '').split('|')) {
    const [key, ...value] = part.split('=');
    if (key?.trim() === name) return value.join('=').trim();
  }
  return undefined;
}

function renderBlockList(blocks: readonly WikiBlock[], ctx: InlineContext): string {
  return blocks
    .flatMap((b) => renderBlock(b, ctx))
    .filter((p) => p.trim() !== '')
    .join('\n\n');
}

function renderBlock(block: WikiBlock, ctx: InlineContext): string[] {
  const md = ctx.mode === 'markdown';
  switch (block.kind) {
    case 'lines':
      return renderLines(block.text, ctx);
    case 'code': {
      if (!md) return [block.body];
      const fence = codeFence(block.body);
      return [`${fence}${block.lang}\n${block.body}\n${fence}`];
    }
    case 'quote': {
      const inner = renderBlockList(block.children, ctx);
      return [md ? prefixLines(inner, '> ', '> ') : inner];
    }
    case 'panel': {
      const inner = renderBlockList(block.children, ctx);
      if (!md) return [block.title, inner];
      const title = block.title ? `**${escapeMarkdown(block.title)}**\n\n` : '';
      return [prefixLines(title + inner, '> ', '> ')];
    }
  }
}

type LineKind = 'blank' | 'heading' | 'quote' | 'rule' | 'list' | 'table' | 'text';

function classify(line: string): LineKind {
  if (line.trim() === '') return 'blank';
  if (/^\s*h[1-6]\.\s/.test(line)) return 'heading';
  if (/^\s*bq\.\s/.test(line)) return 'quote';
  if (/^\s*-{4,}\s*$/.test(line)) return 'rule';
  if (/^\s*(?:[*#]+|-)\s+\S/.test(line)) return 'list';
  if (/^\s*\|/.test(line)) return 'table';
  return 'text';
}

/** Groups consecutive lines of the same kind (paragraphs, lists, tables) and renders each group. */
function renderLines(text: string, ctx: InlineContext): string[] {
  const lines = text.split('\n');
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const kind = classify(lines[i] ?? '');
    let j = i + 1;
    if (kind === 'list' || kind === 'table' || kind === 'text') {
      while (j < lines.length && classify(lines[j] ?? '') === kind) j++;
    }
    const group = lines.slice(i, j);
    out.push(renderGroup(kind, group, ctx));
    i = j;
  }
  return out;
}

function renderGroup(kind: LineKind, group: readonly string[], ctx: InlineContext): string {
  const md = ctx.mode === 'markdown';
  const first = group[0]?.trim() ?? '';
  switch (kind) {
    case 'blank':
      return '';
    case 'heading': {
      const inner = renderWikiInline(first.slice(3).trim(), ctx);
      return md ? `${'#'.repeat(Number(first[1]))} ${inner}` : inner;
    }
    case 'quote': {
      const inner = renderWikiInline(first.slice(3).trim(), ctx);
      return md ? `> ${inner}` : inner;
    }
    case 'rule':
      return '---';
    case 'list':
      return renderList(group, ctx);
    case 'table':
      return renderTable(
        group.map((row) => splitRow(row).map((c) => flattenCell(renderWikiInline(c, ctx), ctx.mode))),
        ctx.mode,
      );
    case 'text':
      return group.map((l) => renderWikiInline(l.trim(), ctx)).join(md ? '\\\n' : '\n');
  }
}

/** Deeper list items are shown at this depth: past it, indentation only grows the text. */
const maxListDepth = 32;

function renderList(group: readonly string[], ctx: InlineContext): string {
  const counters: number[] = [];
  const kinds: string[] = [];
  return group
    .map((line) => {
      const [, markers = '-', body = ''] = /^\s*([*#]+|-)\s+(.*)$/.exec(line) ?? [];
      const depth = Math.min(markers.length, maxListDepth);
      const ordered = markers.endsWith('#');
      counters.length = depth;
      kinds.length = depth;
      const continues = kinds[depth - 1] === markers;
      counters[depth - 1] = continues ? (counters[depth - 1] ?? 0) + 1 : 1;
      kinds[depth - 1] = markers;
      const marker = ordered ? `${counters[depth - 1]}. ` : '- ';
      const indent = (ctx.mode === 'markdown' ? '    ' : '  ').repeat(depth - 1);
      return indent + marker + renderWikiInline(body.trim(), ctx);
    })
    .join('\n');
}

/** Splits `||a||b||` or `|a|b|` into cells, keeping pipes inside `[link|url]` and `{{code}}`. */
function splitRow(row: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let depth = 0;
  const src = row.trim().replace(/^\|\|?/, '');
  for (let i = 0; i < src.length; i++) {
    const ch = src[i] ?? '';
    if (ch === '[' || (ch === '{' && src[i + 1] === '{')) depth++;
    if ((ch === ']' || (ch === '}' && src[i + 1] === '}')) && depth > 0) depth--;
    if (ch === '|' && depth === 0) {
      cells.push(cell.trim());
      cell = '';
      if (src[i + 1] === '|') i++;
      continue;
    }
    cell += ch;
  }
  if (cell.trim() !== '') cells.push(cell.trim());
  return cells;
}

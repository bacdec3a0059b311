import {
  escapeMarkdown,
  inlineCode,
  markdownHref,
  mentionLabel,
  type TextMode,
  type TextOptions,
} from './markdown.ts';

/**
 * Jira wiki markup, inline part: `*strong*`, `_em_`, `-strike-`, `+ins+`, `^sup^`, `~sub~`,
 * `??cite??`, `{{mono}}`, `[text|url]`, `[~accountid:id]`, `[~user]`, `[^file]`, `!image.png!`,
 * `{color}`, `\\` line breaks and backslash escapes. Parsed left to right into text with the
 * formatting resolved, so Markdown output escapes only what was literal text.
 */
export interface InlineContext {
  readonly mode: TextMode;
  readonly opts: TextOptions;
}

const effects: Readonly<Record<string, { md: string } | undefined>> = {
  '*': { md: '**' },
  _: { md: '_' },
  '-': { md: '~~' },
  '+': { md: '' },
  '^': { md: '' },
  '~': { md: '' },
};

/**
 * The first position at or after `from` where `stop` holds (or the end of the text), for one kind of
 * closing mark. A lazy pattern that finds no closing mark scans to the end of the line; tried from
 * every opening mark of a long line, that is quadratic (minutes for a megabyte). The answer for a
 * later `from` up to the position found is the same, so each kind of mark scans the text once.
 */
type Scan = (kind: string, stop: (i: number) => boolean, from: number) => number;

function scanner(src: string): Scan {
  const last = new Map<string, { from: number; hit: number }>();
  return (kind, stop, from) => {
    const known = last.get(kind);
    if (known && from >= known.from && from <= known.hit) return known.hit;
    let i = from;
    while (i < src.length && !stop(i)) i++;
    last.set(kind, { from, hit: i });
    return i;
  };
}

/** Where `.` in a pattern stops: a span cannot cross these. */
const lineEnd = /[\n\r\u2028\u2029]/;
const space = /\s/;

interface Atom {
  readonly pattern: RegExp;
  readonly render: (m: RegExpExecArray, ctx: InlineContext) => string;
  /** False when the pattern surely cannot match at `i`, found without running it. */
  readonly possible?: (src: string, i: number, scan: Scan) => boolean;
}

const atoms: readonly Atom[] = [
  { pattern: /\\\\/y, render: (_m, ctx) => (ctx.mode === 'markdown' ? '\\\n' : '\n') },
  { pattern: /\\([^\s\\])/y, render: (m, ctx) => literal(m[1] ?? '', ctx) },
  {
    pattern: /\{\{(.+?)\}\}/y,
    render: (m, ctx) => mono(m[1] ?? '', ctx),
    possible: (src, i, scan) =>
      src.startsWith('{{', i) &&
      isCloser(
        src,
        scan('mono', (j) => lineEnd.test(src[j] ?? '') || src.startsWith('}}', j), i + 3),
      ),
  },
  {
    pattern: /\{(?:color(?::[^}]*)?|anchor:[^}]*)\}/y,
    render: () => '',
    possible: (src, i, scan) => src[i] === '{' && scan('brace', (j) => src[j] === '}', i + 1) < src.length,
  },
  { pattern: /\[([^[\]\n]*)\]/y, render: (m, ctx) => renderBracket(m[1] ?? '', ctx) },
  {
    pattern: /!([^\s!|]+?\.[A-Za-z0-9]{2,5}|https?:\/\/[^\s!|]+)(?:\|[^!\n]*)?!/y,
    render: (m, ctx) => image(m[1] ?? '', ctx),
  },
  {
    pattern: /\?\?(?=\S)(.+?)(?<=\S)\?\?(?![\p{L}\p{N}])/uy,
    render: (m, ctx) => renderWikiInline(m[1] ?? '', ctx),
    possible: (src, i, scan) =>
      src.startsWith('??', i) &&
      isCloser(
        src,
        scan('cite', (j) => lineEnd.test(src[j] ?? '') || closesCite(src, j), i + 3),
      ),
  },
];

/** A closing `??`: after a non-blank, before no letter or digit. */
function closesCite(src: string, j: number): boolean {
  return src.startsWith('??', j) && !space.test(src[j - 1] ?? ' ') && !wordChar.test(src[j + 2] ?? '');
}

/** A scan's answer is a closing mark, not the end of the line or of the text. */
function isCloser(src: string, hit: number): boolean {
  return hit < src.length && !lineEnd.test(src[hit] ?? '');
}

export function renderWikiInline(src: string, ctx: InlineContext): string {
  const scan = scanner(src);
  let out = '';
  let i = 0;
  outer: while (i < src.length) {
    for (const atom of atoms) {
      if (atom.possible && !atom.possible(src, i, scan)) continue;
      atom.pattern.lastIndex = i;
      const m = atom.pattern.exec(src);
      if (m) {
        out += atom.render(m, ctx);
        i += m[0].length;
        continue outer;
      }
    }
    const span = formattedSpan(src, i, scan);
    if (span) {
      const inner = renderWikiInline(src.slice(i + 1, span.end), ctx);
      const md = ctx.mode === 'markdown' ? (effects[span.marker]?.md ?? '') : '';
      out += md + inner + md;
      i = span.end + 1;
      continue;
    }
    out += literal(src[i] ?? '', ctx);
    i += 1;
  }
  return out;
}

const wordChar = /[\p{L}\p{N}]/u;

/**
 * A formatting span opened at `start`: marker at a word boundary, hugging non-space content. Spans
 * nest only as deep as there are distinct markers: the first closing mark of a kind ends the span.
 */
function formattedSpan(src: string, start: number, scan: Scan): { marker: string; end: number } | undefined {
  const marker = src[start] ?? '';
  if (effects[marker] === undefined) return undefined;
  const before = src[start - 1];
  const first = src[start + 1];
  if (before !== undefined && (wordChar.test(before) || before === marker)) return undefined;
  if (first === undefined || /\s/.test(first) || first === marker) return undefined;
  const closes = (end: number) => {
    if (src[end] !== marker || /\s/.test(src[end - 1] ?? ' ')) return false;
    const after = src[end + 1];
    return after === undefined || !(wordChar.test(after) || after === marker);
  };
  const end = scan(`span${marker}`, (j) => src[j] === '\n' || closes(j), start + 2);
  return end < src.length && src[end] !== '\n' ? { marker, end } : undefined;
}

function literal(text: string, ctx: InlineContext): string {
  return ctx.mode === 'markdown' ? escapeMarkdown(text) : text;
}

function mono(code: string, ctx: InlineContext): string {
  return ctx.mode === 'markdown' ? inlineCode(code) : code;
}

function image(target: string, ctx: InlineContext): string {
  if (/^https?:\/\//.test(target)) return ctx.mode === 'markdown' ? `![](<${target}>)` : target;
  return literal(`[attachment: ${target}]`, ctx);
}

/** `[...]`: mentions, attachments, anchors, links with or without a label. */
function renderBracket(body: string, ctx: InlineContext): string {
  const md = ctx.mode === 'markdown';
  if (body.startsWith('~')) {
    const id = body.slice(1).replace(/^accountid:/i, '');
    return literal(mentionLabel(id, undefined, ctx.opts), ctx);
  }
  if (body.startsWith('^')) return literal(`[attachment: ${body.slice(1)}]`, ctx);
  if (body.startsWith('#')) return renderWikiInline(body.slice(1), ctx);
  if (/^[A-Z][A-Z0-9_]+-\d+$/.test(body)) return body;
  const bar = body.indexOf('|');
  const label = bar === -1 ? '' : body.slice(0, bar).trim();
  const target = (bar === -1 ? body : (body.slice(bar + 1).split('|')[0] ?? '')).trim();
  if (!isLinkTarget(target)) return literal(`[${body}]`, ctx);
  const href = target.startsWith('www.') ? `http://${target}` : target;
  if (!label) return md ? `<${href}>` : target;
  const text = renderWikiInline(label, ctx);
  if (md) return `[${text}](${markdownHref(href)})`;
  return text === target || `mailto:${text}` === target ? text : `${text} (${target})`;
}

function isLinkTarget(target: string): boolean {
  return /^(?:[a-z][a-z0-9+.-]*:\/\/|mailto:|www\.)\S+$/i.test(target);
}

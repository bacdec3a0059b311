/** Output of the rich-text converters: readable plain text, or CommonMark/GFM Markdown. */
export type TextMode = 'text' | 'markdown';

export interface TextOptions {
  /**
   * Display names by account id (and, for legacy wiki mentions `[~user]`, by user name), built by
   * normalization from the users the payload carries. A mention renders `@Display Name` when known,
   * else `@accountId`.
   */
  readonly mentions?: ReadonlyMap<string, string>;
}

/** `@Name` when the map (or the node itself) knows the name, else `@id`. */
export function mentionLabel(id: string, known: string | undefined, opts: TextOptions): string {
  const name = opts.mentions?.get(id) ?? known?.replace(/^@/, '').trim();
  return `@${name ? name : id}`;
}

/** Markdown-escapes characters that would otherwise start emphasis, code, links or HTML. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<~]/g, '\\$&');
}

/** A link destination that cannot end the Markdown link early: parentheses and spaces escaped. */
export function markdownHref(href: string): string {
  return href.replace(
    /[()\s<>]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

/** A backtick fence longer than any backtick run inside `code` (CommonMark). */
export function codeFence(code: string, min = 3): string {
  const longest = Math.max(0, ...[...code.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(Math.max(min, longest + 1));
}

/** Inline code span that survives backticks inside. */
export function inlineCode(code: string): string {
  const fence = codeFence(code, 1);
  const pad = code.startsWith('`') || code.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${code}${pad}${fence}`;
}

/** Prefixes the first line with `first` and every following line with `rest`. */
export function prefixLines(block: string, first: string, rest: string): string {
  return block
    .split('\n')
    .map((line, i) => (i === 0 ? first + line : line === '' ? rest.trimEnd() : rest + line))
    .join('\n');
}

/** One table cell on one line: line breaks become `<br>` (Markdown) or spaces, pipes are escaped. */
export function flattenCell(cell: string, mode: TextMode): string {
  // Not `/\s*\n\s*/`: tried from every blank of a long run of them, that regex is quadratic.
  if (mode === 'text')
    return cell
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .join(' ');
  return cell
    .replace(/\\?\n/g, '<br>')
    .replace(/(?<!\\)\|/g, '\\|')
    .trim();
}

/** A table as GFM (first row is the header) or as ` | `-separated lines. */
export function renderTable(rows: readonly (readonly string[])[], mode: TextMode): string {
  if (rows.length === 0) return '';
  if (mode === 'text') return rows.map((cells) => cells.join(' | ')).join('\n');
  const width = Math.max(1, ...rows.map((r) => r.length));
  const line = (cells: readonly string[]) =>
    `| ${Array.from({ length: width }, (_, i) => cells[i] ?? '').join(' | ')} |`;
  const [head = [], ...body] = rows;
  return [line(head), `|${' --- |'.repeat(width)}`, ...body.map(line)].join('\n');
}

/** Trims trailing spaces per line and surrounding blank lines; empty input stays empty. */
export function tidy(text: string): string {
  const lines = text.split('\n').map((line) => trimEndOf(line, ' \t'));
  return trimEndOf(lines.join('\n'), '\n').replace(/^\n+/, '');
}

/**
 * `text` without the trailing characters in `chars`. A loop, not `/[ \t]+$/` or `/\n+$/`: V8 tries
 * such a regex again from every position of every run that is not at the end, which takes minutes
 * on a text of a few hundred thousand blanks.
 */
function trimEndOf(text: string, chars: string): string {
  let end = text.length;
  while (end > 0 && chars.includes(text[end - 1] ?? '')) end--;
  return end === text.length ? text : text.slice(0, end);
}

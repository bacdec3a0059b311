import { renderBlocks } from './adf-blocks.ts';
import { isAdfDoc, toAdfNode } from './adf-node.ts';
import { type TextMode, type TextOptions, tidy } from './markdown.ts';
import { renderWiki } from './wiki-blocks.ts';

/**
 * Rich text to plain text or Markdown, done once during normalization. Jira gives ADF documents in
 * REST v3 and wiki-markup strings in webhook bodies (REST v2 shape); both arrive here.
 *
 * Written here rather than taken from npm: the ADF converters there (adf-to-md, adf-to-markdown)
 * cover a handful of node types, drop mentions and log to the console, and the wiki converters
 * (jira2md, j2m) are regex chains that rewrite inside code blocks and emit HTML; none produces plain
 * text or resolves mentions.
 */
export type { TextOptions } from './markdown.ts';

/**
 * Whatever Jira put in a rich-text field (an ADF document, a wiki string, null) as plain text;
 * null when there is no text, so `description: null` means "empty" whatever the source.
 */
export function richTextToText(value: unknown, opts: TextOptions = {}): string | null {
  return convert(value, 'text', opts);
}

export function richTextToMarkdown(value: unknown, opts: TextOptions = {}): string | null {
  return convert(value, 'markdown', opts);
}

function convert(value: unknown, mode: TextMode, opts: TextOptions): string | null {
  let out = '';
  if (typeof value === 'string') out = tidy(renderWiki(value, { mode, opts }));
  else if (isAdfDoc(value) || toAdfNode(value)) out = renderAdf(value, mode, opts);
  return out.trim() === '' ? null : out;
}

function renderAdf(value: unknown, mode: TextMode, opts: TextOptions): string {
  const node = toAdfNode(value);
  if (!node) return '';
  return tidy(renderBlocks([node], { mode, opts }));
}

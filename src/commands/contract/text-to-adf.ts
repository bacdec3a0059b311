import { markdownToAdf } from 'marklassian';
import type { TextFormat } from '../command.ts';
import type { AdfDocument, AdfDocumentNode } from './adf-document.ts';
import { guardMarkdownHtml } from './markdown-html-guard.ts';
import { repairBlocks } from './repair-adf.ts';

/** C0 controls and DEL but tab and newline: Jira refuses or shows them as boxes. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const controlCharacters = /[\u0000-\u0008\u000b-\u001f\u007f]/g;
const blankLine = /^\s*$/;

/**
 * A command's text as an ADF document for Jira REST v3: plain text (`text`) or Markdown
 * (`markdown`, through marklassian, HTML shown as typed, the output repaired to valid ADF).
 * Line ends are normalized, control characters dropped and lone surrogates replaced. A blank text
 * gives an empty document (`content: []`), which is valid ADF: clearing a description; comment
 * bodies are never blank (refused at parse). Throws only if marklassian returns no ADF document.
 */
export function textToAdf(text: string, format: TextFormat): AdfDocument {
  const clean = text.toWellFormed().replace(/\r\n?/g, '\n').replace(controlCharacters, '');
  return format === 'markdown' ? markdownDocument(clean) : plainTextDocument(clean);
}

/** Blank lines split paragraphs; a single line end is a hard break; trailing blanks of a line go. */
function plainTextDocument(text: string): AdfDocument {
  const content: AdfDocumentNode[] = [];
  let lines: string[] = [];
  const flush = () => {
    if (lines.length === 0) return;
    const nodes = lines.flatMap((line, i): AdfDocumentNode[] => [
      ...(i > 0 ? [{ type: 'hardBreak' }] : []),
      { type: 'text', text: line },
    ]);
    content.push({ type: 'paragraph', content: nodes });
    lines = [];
  };
  for (const line of text.split('\n')) {
    if (blankLine.test(line)) flush();
    else lines.push(line.trimEnd());
  }
  flush();
  return { version: 1, type: 'doc', content };
}

function markdownDocument(markdown: string): AdfDocument {
  const guard = guardMarkdownHtml(markdown);
  const doc: unknown = markdownToAdf(guard.markdown);
  if (!isDocumentV1(doc)) throw new Error('marklassian returned no ADF document (type doc, version 1)');
  const content = repairBlocks(doc.content).map((node) => mapStrings(node, guard.restore));
  return { version: 1, type: 'doc', content };
}

function isDocumentV1(value: unknown): value is { content: AdfDocumentNode[] } {
  if (typeof value !== 'object' || value === null) return false;
  const doc = value as Record<string, unknown>;
  return doc.type === 'doc' && doc.version === 1 && Array.isArray(doc.content);
}

/** The node with `map` applied to every string in it (texts, hrefs, languages). */
function mapStrings<T>(value: T, map: (text: string) => string): T {
  if (typeof value === 'string') return map(value) as T;
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, map)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, map)])) as T;
  }
  return value;
}

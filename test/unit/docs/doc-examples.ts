import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** A fenced JSON example in the docs: where it is, the schema its info string names, its text. */
export interface DocExample {
  /** `docs/events.md:39`: the file and the line of the opening fence. */
  readonly where: string;
  readonly schema: string;
  readonly json: string;
}

/** The files whose examples consumers read: the README, docs/*.md and the event schemas' README. */
function exampleFiles(root: string): string[] {
  const docs = path.join(root, 'docs');
  return [
    path.join(root, 'README.md'),
    ...readdirSync(docs)
      .filter((name) => name.endsWith('.md'))
      .sort()
      .map((name) => path.join(docs, name)),
    path.join(docs, 'schemas', 'events', 'README.md'),
  ];
}

/** "```json event=crm.ticket.upserted" opens an example of that schema; the fence closes it. */
const fencedJson = /^```json([^\n]*)\n([\s\S]*?)^```$/gm;

/**
 * Every fenced `json` block of those files. A block marked `event=<schema>` (an event type suffix or
 * `dead-letter`) is an example to check; a `json` block without the mark is listed as unmarked, so
 * no example of event data escapes the check by omission.
 */
export function fencedExamples(root: string): { marked: DocExample[]; unmarked: string[] } {
  const marked: DocExample[] = [];
  const unmarked: string[] = [];
  for (const file of exampleFiles(root)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(fencedJson)) {
      const line = text.slice(0, match.index).split('\n').length;
      const where = `${path.relative(root, file)}:${line}`;
      const schema = /\bevent=([\w.-]+)/.exec(match[1] ?? '')?.[1];
      if (schema === undefined) unmarked.push(where);
      else marked.push({ where, schema, json: match[2] ?? '' });
    }
  }
  return { marked, unmarked };
}

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const docsDir = path.join(root, 'docs');
const markdownFiles = [
  path.join(root, 'README.md'),
  ...readdirSync(docsDir)
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => path.join(docsDir, name)),
];

const fencedBlock = /^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[^\n]*$/gm;
/** `[text](target)` or `[text](target "title")`; images (`![alt](target)`) match too. */
const link = /\[[^\]]*\]\(\s*([^)\s]*)(?:\s+"[^"]*")?\s*\)/g;

/** Relative targets of the links outside fenced code blocks. */
function relativeLinks(markdown: string): string[] {
  const targets = [...markdown.replace(fencedBlock, '').matchAll(link)].map((m) => m[1] ?? '');
  return targets.filter((target) => target !== '' && !/^(https?:|mailto:|#)/i.test(target));
}

describe('README and docs/', () => {
  it('has docs to check', () => {
    expect(markdownFiles.length).toBeGreaterThan(1);
  });

  it('keeps the README a first read (at most 160 lines)', () => {
    const lines = readFileSync(path.join(root, 'README.md'), 'utf8').replace(/\n$/, '').split('\n');
    expect(lines.length).toBeLessThanOrEqual(160);
  });

  for (const file of markdownFiles) {
    it(`${path.relative(root, file)}: every relative link resolves`, () => {
      const missing = relativeLinks(readFileSync(file, 'utf8'))
        .map((target) => decodeURI(target.split('#')[0] ?? ''))
        .filter((target) => target !== '' && !existsSync(path.resolve(path.dirname(file), target)));
      expect(missing).toEqual([]);
    });
  }
});

import { describe, expect, it } from 'vitest';
import { richTextToMarkdown, richTextToText } from '../../../../src/atlassian/text/rich-text.ts';

/** Each conversion of the inputs below took from 20 s to minutes before (quadratic scans). */
const quickMs = 3000;

function timed(render: (wiki: string) => string | null, wiki: string): string {
  const started = Date.now();
  const out = render(wiki) ?? '';
  expect(Date.now() - started).toBeLessThan(quickMs);
  return out;
}

describe('wiki markup nested 100,000 levels deep', () => {
  it('renders a list item 100,000 levels deep, indented no deeper than 32 levels', () => {
    const wiki = `* top\n${'*'.repeat(100_000)} the bottom`;
    for (const render of [richTextToText, richTextToMarkdown]) {
      const out = timed(render, wiki);
      const last = out.split('\n').at(-1) ?? '';
      expect(last.trim()).toBe('- the bottom');
      expect(last.length).toBeLessThan(32 * 4 + 20);
    }
  });

  it('keeps the text of 100,000 unclosed or interleaved quote and panel tags', () => {
    const panels = timed(richTextToText, `${'{panel:title=a}'.repeat(100_000)}the end`);
    expect(panels.endsWith('the end')).toBe(true);
    const interleaved = timed(richTextToText, `${'{quote}{panel:x}'.repeat(100_000)}the end`);
    expect(interleaved).toContain('the end');
    const closedLate = timed(richTextToText, `${'{panel:x}'.repeat(100_000)}inside{panel} after`);
    expect(closedLate).toContain('inside');
    expect(closedLate.endsWith('after')).toBe(true);
  });

  it('still renders nested quotes and panels as before', () => {
    expect(richTextToMarkdown('{panel:title=Note}a {quote}q{quote} b{panel}')).toBe(
      '> **Note**\n>\n> a\n>\n> > q\n>\n> b',
    );
  });
});

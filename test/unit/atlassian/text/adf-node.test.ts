import { describe, expect, it } from 'vitest';
import { maxAdfDepth, toAdfNode } from '../../../../src/atlassian/text/adf-node.ts';
import { richTextToMarkdown, richTextToText } from '../../../../src/atlassian/text/rich-text.ts';

type Node = Record<string, unknown>;

/** `levels` bullet lists, each item with its own line of text, the last holding `bottom`. */
function nestedLists(levels: number, bottom: Node): Node {
  let node: Node = bottom;
  for (let level = levels; level >= 1; level--) {
    const own = { type: 'paragraph', content: [{ type: 'text', text: `level ${level}` }] };
    node = { type: 'bulletList', content: [{ type: 'listItem', content: [own, node] }] };
  }
  return { type: 'doc', version: 1, content: [node] };
}

const bottom = {
  type: 'paragraph',
  content: [
    { type: 'text', text: 'the bottom, ' },
    { type: 'mention', attrs: { id: 'acc-1', text: '@Nina' } },
  ],
};

describe('ADF nested deeper than the renderers recurse', () => {
  it('renders a 100,000-level document as text and Markdown, keeping every word', () => {
    const doc = nestedLists(100_000, bottom);
    for (const render of [richTextToText, richTextToMarkdown]) {
      const out = render(doc) ?? '';
      expect(out).toContain('level 1\n');
      expect(out).toMatch(/level 99999 level 100000 the bottom, @Nina$/);
      // Structure (one line per item) down to the depth limit, then one line of plain text.
      expect(out.split('\n').length).toBeLessThan(maxAdfDepth);
    }
  });

  it('keeps the structure of documents within the limit as it was', () => {
    const out = richTextToText(nestedLists(3, bottom));
    expect(out).toBe('- level 1\n  - level 2\n    - level 3\n      the bottom, @Nina');
  });

  it('flattens what lies past the limit into a paragraph that code blocks can read too', () => {
    let node: Node = { type: 'text', text: 'line one\nline two' };
    for (let i = 0; i < maxAdfDepth + 5; i++) node = { type: 'panel', content: [node] };
    const deep = toAdfNode({ type: 'codeBlock', content: [node] }, maxAdfDepth - 1);
    expect(deep?.content?.[0]).toMatchObject({ type: 'paragraph', text: 'line one\nline two' });
    expect(richTextToText({ type: 'doc', content: [node] })).toBe('line one\nline two');
  });
});

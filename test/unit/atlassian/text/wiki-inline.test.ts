import { describe, expect, it } from 'vitest';
import { richTextToMarkdown, richTextToText } from '../../../../src/atlassian/text/rich-text.ts';

const quickMs = 3000;

/**
 * A long line of opening marks that never close: each was scanned to the end of the line from
 * every opening, which took from tens of seconds to minutes for a body of a megabyte.
 */
describe('wiki inline markup on a line of a megabyte', () => {
  it.each([
    ['emphasis that never closes', '*a ', '*a '],
    ['citations that never close', '??a ', '??a '],
    ['monospace that never closes', '{{a ', '{{a '],
    ['colors that never close', '{color:', '{color:'],
  ])('renders %s quickly, as the literal text', (_name, unit, expected) => {
    const wiki = `${unit.repeat(Math.floor(1_000_000 / unit.length))}end`;
    const started = Date.now();
    const out = richTextToText(wiki) ?? '';
    expect(Date.now() - started).toBeLessThan(quickMs);
    expect(out.startsWith(expected.trim())).toBe(true);
    expect(out.endsWith('end')).toBe(true);
  });

  it('still closes spans at the first closing mark', () => {
    expect(richTextToMarkdown('*bold* and ??cite?? and {{mono}} and _em_ {color:red}red{color}')).toBe(
      '**bold** and cite and `mono` and _em_ red',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { flattenCell, tidy } from '../../../../src/atlassian/text/markdown.ts';

describe('tidy and flattenCell on long runs of blanks', () => {
  it('trims 300,000 blanks that end neither the line nor the text quickly, keeping the text', () => {
    const blanks = ' '.repeat(300_000);
    const newlines = '\n'.repeat(300_000);
    const started = Date.now();
    expect(tidy(`${newlines}a${blanks}b${blanks}\n${newlines}c${newlines}`)).toBe(
      `a${blanks}b\n${newlines}c`,
    );
    expect(flattenCell(`a${blanks}b\n  \n c`, 'text')).toBe(`a${blanks}b c`);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

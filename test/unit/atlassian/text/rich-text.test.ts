import { describe, expect, it } from 'vitest';
import { richTextToMarkdown, richTextToText } from '../../../../src/atlassian/text/rich-text.ts';

const adf = {
  version: 1,
  type: 'doc',
  content: [
    { type: 'paragraph', content: [{ type: 'text', text: 'from ADF', marks: [{ type: 'strong' }] }] },
  ],
};

describe('rich text of either source', () => {
  it('reads ADF documents (REST v3) and wiki strings (webhooks) alike', () => {
    expect(richTextToText(adf)).toBe('from ADF');
    expect(richTextToText('*from wiki*')).toBe('from wiki');
    expect(richTextToMarkdown(adf)).toBe('**from ADF**');
    expect(richTextToMarkdown('*from wiki*')).toBe('**from wiki**');
  });

  it('gives null for empty or absent text, so "no description" looks the same from every source', () => {
    for (const empty of [null, undefined, '', '  \n ', { type: 'doc', version: 1, content: [] }, 42, []]) {
      expect(richTextToText(empty)).toBeNull();
      expect(richTextToMarkdown(empty)).toBeNull();
    }
  });

  it('passes the mention map to both converters', () => {
    const mentions = new Map([['acc-9', 'Nina']]);
    const adfMention = {
      type: 'doc',
      content: [{ type: 'paragraph', content: [{ type: 'mention', attrs: { id: 'acc-9' } }] }],
    };
    expect(richTextToText(adfMention, { mentions })).toBe('@Nina');
    expect(richTextToText('[~accountid:acc-9]', { mentions })).toBe('@Nina');
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  richTextToMarkdown,
  richTextToText,
  type TextOptions,
} from '../../../../src/atlassian/text/rich-text.ts';

// Empty text is null from the public functions; these tests compare strings.
const wikiToText = (value: unknown, opts?: TextOptions) => richTextToText(value, opts) ?? '';
const wikiToMarkdown = (value: unknown, opts?: TextOptions) => richTextToMarkdown(value, opts) ?? '';

const webhooks = path.resolve(import.meta.dirname, '../../../fixtures/webhooks');
const readWebhook = (name: string) =>
  JSON.parse(readFileSync(path.join(webhooks, name), 'utf8')) as {
    issue: { fields: { description?: string } };
    comment?: { body: string };
  };

describe('wiki markup to plain text', () => {
  it('keeps the plain strings real webhook bodies carry unchanged', () => {
    const created = readWebhook('jira_issue_created__mattermost-plugin-jira-issue-created.json');
    const comment = readWebhook('comment_created__mattermost-plugin-jira-cloud.json');
    expect(wikiToText(created.issue.fields.description ?? '')).toBe('Unit test description, not that long');
    expect(wikiToText(comment.comment?.body ?? '')).toBe('Added a comment');
  });

  it.each([
    [
      'strong, emphasis, strike, inserted, sup, sub, citation',
      '*b* _i_ -s- +u+ ^sup^ ~sub~ ??cite??',
      'b i s u sup sub cite',
    ],
    ['nested formatting', '*bold _and italic_*', 'bold and italic'],
    [
      'markers inside words are literal',
      'snake_case_name and a*b*c and well-known-thing',
      'snake_case_name and a*b*c and well-known-thing',
    ],
    [
      'dates and ranges are not strike-through',
      'from 2019-02-15 to 2019-03-01, 5 - 3 - 1',
      'from 2019-02-15 to 2019-03-01, 5 - 3 - 1',
    ],
    ['markers that do not hug text are literal', 'a * b * c and _ x _', 'a * b * c and _ x _'],
    ['an unclosed marker is literal', '*never closed', '*never closed'],
    ['a span does not cross lines', '*a\nb*', '*a\nb*'],
    ['doubled markers are literal', '**not bold**', '**not bold**'],
    ['monospace keeps its content verbatim', '{{*x* _y_}}', '*x* _y_'],
    ['escaped markers', '\\*not bold\\* \\[x\\]', '*not bold* [x]'],
    ['a double backslash is a line break', 'one\\\\two', 'one\ntwo'],
    ['color macros are dropped, text kept', '{color:red}alert{color} and {anchor:top}top', 'alert and top'],
    ['a labelled link', '[the docs|https://docs.example.com/a]', 'the docs (https://docs.example.com/a)'],
    ['a labelled link with a tooltip', '[docs|https://d.io|tip]', 'docs (https://d.io)'],
    ['a bare link', '[https://x.io/path?q=1]', 'https://x.io/path?q=1'],
    ['a www link', '[site|www.example.com]', 'site (www.example.com)'],
    ['a mailto link labelled with its address', '[a@b.io|mailto:a@b.io]', 'a@b.io'],
    ['a link labelled with its URL', '[https://x.io|https://x.io]', 'https://x.io'],
    ['an issue key link', 'see [OPS-12]', 'see OPS-12'],
    ['an attachment link', '[^trace.log]', '[attachment: trace.log]'],
    ['an anchor link', '[#section]', 'section'],
    ['brackets that are not links stay', '[not a link] and [a|b]', '[not a link] and [a|b]'],
    [
      'an image attachment with options',
      '!screen shot.png! and !error.png|thumbnail!',
      '!screen shot.png! and [attachment: error.png]',
    ],
    ['an image by URL', '!https://img.io/a.png!', 'https://img.io/a.png'],
    ['exclamations are not images', 'Wow! Great!', 'Wow! Great!'],
    ['headings lose their marker', 'h1. Title\nh6. *Small*', 'Title\n\nSmall'],
    ['a one-line quote', 'bq. quoted', 'quoted'],
    ['a horizontal rule', 'a\n----\nb', 'a\n\n---\n\nb'],
    ['lines within a paragraph stay lines', 'one\ntwo\n\nthree', 'one\ntwo\n\nthree'],
    ['Windows line endings', 'one\r\ntwo', 'one\ntwo'],
    ['bullets, nested', '* a\n** b\n*** c\n* d', '- a\n  - b\n    - c\n- d'],
    ['dash bullets', '- a\n- b', '- a\n- b'],
    ['numbered lists counted per level', '# a\n# b\n## c\n## d\n# e', '1. a\n2. b\n  1. c\n  2. d\n3. e'],
    ['mixed list nesting', '# a\n#* b\n# c', '1. a\n  - b\n2. c'],
    ['formatting inside list items', '* *bold* item', '- bold item'],
    [
      'a table with header and links with pipes',
      '||Env||Link||\n|prod|[dash|https://g.io/d]|\n|dev|{{a|b}}|',
      'Env | Link\nprod | dash (https://g.io/d)\ndev | a|b',
    ],
    ['a table row with empty cells', '|a||c|', 'a | c'],
    ['a code block verbatim', '{code:java}\nint *a* = [b];\n{code}', 'int *a* = [b];'],
    ['a code block with parameters', '{code:title=A.java|borderStyle=solid}\nx();\n{code}', 'x();'],
    ['noformat verbatim', '{noformat}*raw* h1. no{noformat}', '*raw* h1. no'],
    ['an unclosed code block runs to the end', 'before\n{code}\nrest *x*', 'before\n\nrest *x*'],
    ['a quote block', '{quote}\nquoted *text*\n{quote}\nafter', 'quoted text\n\nafter'],
    ['a panel with a title', '{panel:title=Heads up|borderStyle=dashed}\nbody\n{panel}', 'Heads up\n\nbody'],
    ['a panel without a title', '{panel}body{panel}', 'body'],
    ['an unclosed quote is text', '{quote} alone', '{quote} alone'],
    ['a code block inside a quote', '{quote}see{code}x = 1{code}{quote}', 'see\n\nx = 1'],
    ['empty input', '', ''],
  ])('%s', (_name, input, expected) => {
    expect(wikiToText(input)).toBe(expected);
  });
});

describe('mentions in wiki markup', () => {
  const names = new Map([
    ['5c5f880629be9642ba529340', 'Test User'],
    ['admin', 'Admin Person'],
  ]);

  it('resolves [~accountid:...] through the lookup map', () => {
    expect(wikiToText('cc [~accountid:5c5f880629be9642ba529340]', { mentions: names })).toBe('cc @Test User');
  });

  it('falls back to @accountId', () => {
    expect(wikiToText('cc [~accountid:557058:abc-def]')).toBe('cc @557058:abc-def');
  });

  it('resolves legacy [~user] mentions by user name, else @user', () => {
    expect(wikiToText('[~admin] and [~jdoe]', { mentions: names })).toBe('@Admin Person and @jdoe');
  });
});

describe('wiki markup to Markdown', () => {
  it.each([
    ['formatting', '*b* _i_ -s- +u+ {{m}}', '**b** _i_ ~~s~~ u `m`'],
    ['headings', 'h2. Title', '## Title'],
    ['literal Markdown characters are escaped', 'a_b [x] `c`', 'a\\_b \\[x\\] \\`c\\`'],
    ['links', '[docs|https://d.io/a(b)] [https://x.io]', '[docs](https://d.io/a%28b%29) <https://x.io>'],
    ['a www link gets a scheme', '[www.example.com]', '<http://www.example.com>'],
    ['images by URL', '!https://i.io/a.png!', '![](<https://i.io/a.png>)'],
    ['mentions are escaped', '[~accountid:a_b]', '@a\\_b'],
    ['lines in a paragraph become hard breaks', 'one\ntwo', 'one\\\ntwo'],
    ['quotes', 'bq. quoted\n\n{quote}a\n\nb{quote}', '> quoted\n\n> a\n>\n> b'],
    ['panels', '{panel:title=Note}body{panel}', '> **Note**\n>\n> body'],
    ['code with language', '{code:python}\nprint("*x*")\n{code}', '```python\nprint("*x*")\n```'],
    ['code with backticks inside', '{noformat}```{noformat}', '````\n```\n````'],
    ['nested lists', '* a\n** b\n# c\n## d', '- a\n    - b\n1. c\n    1. d'],
    ['tables', '||h1||h2||\n|a|b|', '| h1 | h2 |\n| --- | --- |\n| a | b |'],
    ['tables without a header row', '|a|b|', '| a | b |\n| --- | --- |'],
    ['a rule', '----', '---'],
  ])('%s', (_name, input, expected) => {
    expect(wikiToMarkdown(input)).toBe(expected);
  });
});

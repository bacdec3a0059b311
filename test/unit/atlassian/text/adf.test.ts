import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  richTextToMarkdown,
  richTextToText,
  type TextOptions,
} from '../../../../src/atlassian/text/rich-text.ts';

// Empty text is null from the public functions; these tests compare strings.
const adfToText = (value: unknown, opts?: TextOptions) => richTextToText(value, opts) ?? '';
const adfToMarkdown = (value: unknown, opts?: TextOptions) => richTextToMarkdown(value, opts) ?? '';

const fixtures = path.resolve(import.meta.dirname, '../../../fixtures/adf');
const kitchenSink: unknown = JSON.parse(readFileSync(path.join(fixtures, 'kitchen-sink.json'), 'utf8'));

const doc = (...content: unknown[]) => ({ version: 1, type: 'doc', content });
const p = (...content: unknown[]) => ({ type: 'paragraph', content });
const t = (text: string, ...marks: unknown[]) => ({ type: 'text', text, ...(marks.length ? { marks } : {}) });
const li = (...content: unknown[]) => ({ type: 'listItem', content });

describe('ADF to plain text', () => {
  it('renders every node type of the kitchen-sink document as readable text', () => {
    expect(adfToText(kitchenSink)).toBe(
      [
        'Checkout fails',
        '',
        'Reported by @Ann Ops on 2023-11-14, status IN PROGRESS 🔥',
        'strong em gone under x2 red npm ci runbook (https://wiki.example.com/runbook) https://acme.atlassian.net/browse/OPS-1',
        '',
        '- first bullet',
        '- second bullet',
        '  1. step one',
        '  2. step two',
        '',
        'quoted words',
        '',
        'curl -s https://shop.example.com/health',
        'echo done',
        '',
        '---',
        '',
        'Info: panel body',
        '',
        'Details',
        '',
        'expanded body',
        '',
        'More',
        '',
        'nested body',
        '',
        'Env | Errors',
        'prod | 42',
        '',
        '[attachment: screenshot.png]',
        'the error page',
        '',
        '[attachment: a1b2]',
        '',
        '[x] roll back',
        '[ ] write postmortem',
        '',
        'Decision: freeze deploys',
        '',
        'https://status.example.com/incidents/7',
        '',
        'https://grafana.example.com/d/abc',
        '',
        'left column',
        '',
        'right column',
        '',
        'extension fallback',
      ].join('\n'),
    );
  });

  it.each([
    ['a plain paragraph', doc(p(t('hello'))), 'hello'],
    ['paragraphs separated by a blank line', doc(p(t('a')), p(t('b'))), 'a\n\nb'],
    ['a hard break as a newline', doc(p(t('a'), { type: 'hardBreak' }, t('b'))), 'a\nb'],
    ['heading text without hashes', doc({ type: 'heading', attrs: { level: 3 }, content: [t('H')] }), 'H'],
    ['empty paragraphs dropped', doc(p(), p(t('x')), p()), 'x'],
    [
      'a link whose text is the URL once',
      doc(p(t('https://a.io', { type: 'link', attrs: { href: 'https://a.io' } }))),
      'https://a.io',
    ],
    [
      'a mailto link as the address',
      doc(p(t('a@b.io', { type: 'link', attrs: { href: 'mailto:a@b.io' } }))),
      'a@b.io',
    ],
    [
      'emoji short name when no unicode text',
      doc(p({ type: 'emoji', attrs: { shortName: ':wave:' } })),
      ':wave:',
    ],
    ['a date that is not a number as given', doc(p({ type: 'date', attrs: { timestamp: 'soon' } })), 'soon'],
    [
      'an ordered list starting at attrs.order',
      doc({ type: 'orderedList', attrs: { order: 5 }, content: [li(p(t('a'))), li(p(t('b')))] }),
      '5. a\n6. b',
    ],
    [
      'a list item with two paragraphs indented',
      doc({ type: 'bulletList', content: [li(p(t('a')), p(t('b')))] }),
      '- a\n  b',
    ],
    [
      'a panel without a known type',
      doc({ type: 'panel', attrs: { panelType: 'custom' }, content: [p(t('x'))] }),
      'x',
    ],
    ['an expand without title', doc({ type: 'expand', attrs: {}, content: [p(t('body'))] }), 'body'],
    [
      'a nested task list indented',
      doc({
        type: 'taskList',
        content: [
          { type: 'taskItem', attrs: { state: 'TODO' }, content: [t('a')] },
          { type: 'taskList', content: [{ type: 'taskItem', attrs: { state: 'DONE' }, content: [t('b')] }] },
        ],
      }),
      '[ ] a\n  [x] b',
    ],
    [
      'external media by URL',
      doc({
        type: 'mediaSingle',
        content: [{ type: 'media', attrs: { type: 'external', url: 'https://img.io/a.png' } }],
      }),
      'https://img.io/a.png',
    ],
    [
      'mediaInline as an attachment reference',
      doc(p(t('see '), { type: 'mediaInline', attrs: { id: 'f1', alt: 'log.txt' } })),
      'see [attachment: log.txt]',
    ],
    [
      'a smart link carrying JSON-LD data',
      doc({ type: 'blockCard', attrs: { data: { url: 'https://d.io' } } }),
      'https://d.io',
    ],
    ['an inline extension by its text', doc(p({ type: 'inlineExtension', attrs: { text: 'ext' } })), 'ext'],
    [
      'a bodied extension by its content',
      doc({ type: 'bodiedExtension', attrs: {}, content: [p(t('inside'))] }),
      'inside',
    ],
    ['an unknown block with content', doc({ type: 'futureBlock', content: [p(t('kept'))] }), 'kept'],
    [
      'an unknown inline node with attrs.url',
      doc(p({ type: 'futureInline', attrs: { url: 'https://u.io' } })),
      'https://u.io',
    ],
    ['an unknown inline node with content', doc(p({ type: 'futureInline', content: [t('inner')] })), 'inner'],
    ['an unknown node with nothing to show', doc(p(t('a'), { type: 'futureInline' }, t('b'))), 'ab'],
    [
      'inline nodes straight in the doc',
      doc(t('loose'), { type: 'rule' }, t('text')),
      'loose\n\n---\n\ntext',
    ],
    [
      'a cell with line breaks flattened',
      doc({
        type: 'table',
        content: [
          {
            type: 'tableRow',
            content: [{ type: 'tableCell', content: [p(t('a'), { type: 'hardBreak' }, t('b'))] }],
          },
        ],
      }),
      'a b',
    ],
    ['a bare text node', t('just text'), 'just text'],
  ])('%s', (_name, input, expected) => {
    expect(adfToText(input)).toBe(expected);
  });

  it('tolerates malformed nodes: missing types, non-array content, odd attrs', () => {
    const messy = {
      type: 'doc',
      content: [
        null,
        'string',
        { content: [t('no type')] },
        p(t('ok'), { type: 'mention' }, { type: 'text' }),
        { type: 'heading', attrs: { level: 'x' }, content: [t('h')] },
        { type: 'bulletList', content: [{ type: 'listItem', attrs: { text: 'fallback item' } }] },
        { type: 'codeBlock', attrs: { language: 7 } },
        { type: 'table', content: [] },
      ],
    };
    expect(adfToText(messy)).toBe('ok@unknown\n\nh\n\n- fallback item');
  });

  it('gives empty text for things that are not ADF', () => {
    expect(adfToText(null)).toBe('');
    expect(adfToText([1, 2])).toBe(''); // a string is wiki markup: see wiki.test.ts
    expect(adfToText({ type: 5 })).toBe('');
  });
});

describe('mentions in ADF', () => {
  const mention = doc(p(t('ping '), { type: 'mention', attrs: { id: 'acc-1', text: '@Stale Name' } }));
  const bare = doc(p({ type: 'mention', attrs: { id: 'acc-2' } }));

  it('prefers the display name from the lookup map', () => {
    expect(adfToText(mention, { mentions: new Map([['acc-1', 'Fresh Name']]) })).toBe('ping @Fresh Name');
  });

  it('falls back to the name in the node', () => {
    expect(adfToText(mention)).toBe('ping @Stale Name');
  });

  it('falls back to @accountId when no name is known', () => {
    expect(adfToText(bare)).toBe('@acc-2');
    expect(adfToText(doc(p({ type: 'mention', attrs: { id: 'acc-3', text: '@' } })))).toBe('@acc-3');
  });

  it('escapes mention names in Markdown', () => {
    expect(adfToMarkdown(bare, { mentions: new Map([['acc-2', 'a_b*c']]) })).toBe('@a\\_b\\*c');
  });
});

describe('ADF to Markdown', () => {
  it('renders the kitchen-sink document as Markdown', () => {
    const md = adfToMarkdown(kitchenSink);
    expect(md).toContain('# Checkout fails');
    expect(md).toContain(
      '**strong** _em_ ~~gone~~ under x2 red `npm ci` [runbook](https://wiki.example.com/runbook) <https://acme.atlassian.net/browse/OPS-1>',
    );
    expect(md).toContain('Reported by @Ann Ops on 2023-11-14, status IN PROGRESS 🔥\\\n');
    expect(md).toContain('- second bullet\n  1. step one\n  2. step two');
    expect(md).toContain('> quoted words');
    expect(md).toContain('```bash\ncurl -s https://shop.example.com/health\necho done\n```');
    expect(md).toContain('> **Info:** panel body');
    expect(md).toContain('**Details**\n\nexpanded body');
    expect(md).toContain('| Env | Errors |\n| --- | --- |\n| prod | 42 |');
    expect(md).toContain('- [x] roll back\n- [ ] write postmortem');
    expect(md).toContain('- Decision: freeze deploys');
    expect(md).toContain('<https://grafana.example.com/d/abc>');
  });

  it.each([
    ['headings keep their level', doc({ type: 'heading', attrs: { level: 4 }, content: [t('H')] }), '#### H'],
    [
      'heading levels are clamped',
      doc({ type: 'heading', attrs: { level: 9 }, content: [t('H')] }),
      '###### H',
    ],
    [
      'literal Markdown characters are escaped',
      doc(p(t('a*b_c [x] <y> `z` ~w'))),
      'a\\*b\\_c \\[x\\] \\<y> \\`z\\` \\~w',
    ],
    ['code marks are not escaped and survive backticks', doc(p(t('a`b', { type: 'code' }))), '``a`b``'],
    ['spaces stay outside emphasis', doc(p(t('a'), t(' bold ', { type: 'strong' }), t('b'))), 'a **bold** b'],
    [
      'adjacent runs with the same marks merge',
      doc(p(t('a', { type: 'strong' }), t('b', { type: 'strong' }))),
      '**ab**',
    ],
    ['whitespace-only marked text is left alone', doc(p(t('a'), t(' ', { type: 'strong' }), t('b'))), 'a b'],
    [
      'combined marks nest',
      doc(
        p(t('x', { type: 'strong' }, { type: 'em' }, { type: 'link', attrs: { href: 'https://l.io/a b' } })),
      ),
      '[_**x**_](https://l.io/a%20b)',
    ],
    [
      'code fences outgrow backticks inside',
      doc({ type: 'codeBlock', content: [t('```\ninner\n```')] }),
      '````\n```\ninner\n```\n````',
    ],
    [
      'a multi-paragraph quote keeps the marker on blank lines',
      doc({ type: 'blockquote', content: [p(t('a')), p(t('b'))] }),
      '> a\n>\n> b',
    ],
    [
      'pipes in cells are escaped',
      doc({
        type: 'table',
        content: [{ type: 'tableRow', content: [{ type: 'tableHeader', content: [p(t('a|b'))] }] }],
      }),
      '| a\\|b |\n| --- |',
    ],
    [
      'ragged rows are padded',
      doc({
        type: 'table',
        content: [
          {
            type: 'tableRow',
            content: [
              { type: 'tableCell', content: [p(t('1'))] },
              { type: 'tableCell', content: [p(t('2'))] },
            ],
          },
          { type: 'tableRow', content: [{ type: 'tableCell', content: [p(t('3'))] }] },
        ],
      }),
      '| 1 | 2 |\n| --- | --- |\n| 3 |  |',
    ],
    [
      'external media as an image',
      doc({ type: 'media', attrs: { type: 'external', url: 'https://i.io/a.png', alt: 'pic' } }),
      '![pic](<https://i.io/a.png>)',
    ],
    [
      'an inline card with spaces in the URL',
      doc(p({ type: 'inlineCard', attrs: { url: 'https://a.io/x y' } })),
      '<https://a.io/x%20y>',
    ],
    ['an empty card renders nothing', doc(p(t('a')), { type: 'blockCard', attrs: {} }), 'a'],
    ['a hard break is a backslash break', doc(p(t('a'), { type: 'hardBreak' }, t('b'))), 'a\\\nb'],
  ])('%s', (_name, input, expected) => {
    expect(adfToMarkdown(input)).toBe(expected);
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { AdfDocument } from '../../../../src/commands/contract/adf-document.ts';
import { textToAdf } from '../../../../src/commands/contract/text-to-adf.ts';
import { prng } from '../../../helpers/prng.ts';

/**
 * Atlassian's schema is draft-04 and ajv 8 has no draft-04 build installed. The schema uses no
 * keyword whose meaning changed after draft-04 (`id` as a string, boolean `exclusiveMinimum`/`Maximum`): the
 * first test checks that, so dropping `$schema` and compiling with the draft-07 class is faithful.
 */
const schemaText = readFileSync(path.join(import.meta.dirname, 'fixtures/adf-schema.json'), 'utf8');
const { $schema, ...adfSchema } = JSON.parse(schemaText);
const validateAdf = new Ajv({ strict: false, allErrors: true }).compile(adfSchema);

function expectValidAdf(doc: AdfDocument): void {
  const valid = validateAdf(doc);
  expect(valid ? [] : validateAdf.errors?.map((e) => `${e.instancePath} ${e.message}`)).toEqual([]);
}

const paragraph = (...content: object[]) => ({ type: 'paragraph', content });
const text = (value: string, ...marks: object[]) =>
  marks.length > 0 ? { type: 'text', text: value, marks } : { type: 'text', text: value };

describe('the ADF schema the tests check against', () => {
  it('is draft-04 without keywords whose meaning changed since', () => {
    expect($schema).toBe('http://json-schema.org/draft-04/schema#');
    expect(schemaText).not.toMatch(/"id"\s*:\s*"/);
    expect(schemaText).not.toMatch(/"exclusiveM(in|ax)imum"\s*:\s*(true|false)/);
  });
});

describe('textToAdf: plain text', () => {
  it('makes paragraphs of blank-line-separated blocks and hard breaks of single line ends', () => {
    const doc = textToAdf('First line\nsecond line\n\n\n  \nNew paragraph  \r\nlast', 'text');
    expect(doc).toEqual({
      version: 1,
      type: 'doc',
      content: [
        paragraph(text('First line'), { type: 'hardBreak' }, text('second line')),
        paragraph(text('New paragraph'), { type: 'hardBreak' }, text('last')),
      ],
    });
    expectValidAdf(doc);
  });

  it('keeps Markdown characters as they are', () => {
    expect(textToAdf('**not bold** <b>', 'text').content).toEqual([paragraph(text('**not bold** <b>'))]);
  });

  it('gives an empty, valid document for blank text (a blank comment is refused earlier)', () => {
    for (const blank of ['', '   ', '\n\n\t\n', '\u0000\u0007']) {
      const doc = textToAdf(blank, 'text');
      expect(doc).toEqual({ version: 1, type: 'doc', content: [] });
      expectValidAdf(doc);
    }
    expect(textToAdf(' \n ', 'markdown').content).toEqual([]);
  });

  it('drops control characters and replaces lone surrogates', () => {
    expect(textToAdf('a\u0000b\u001bc \ud800', 'text').content).toEqual([paragraph(text('abc \ufffd'))]);
  });
});

describe('textToAdf: Markdown', () => {
  it('converts headings, emphasis, code, links and lists', () => {
    const markdown = [
      '# Outage',
      '',
      'Checkout is **down** for *some* users, see [the dashboard](https://grafana.example.com/d/1).',
      '',
      '- step `one`',
      '- step two',
      '',
      '1. first',
      '2. second',
      '',
      '```sh',
      'kubectl rollout undo deploy/checkout',
      '```',
    ].join('\n');
    const doc = textToAdf(markdown, 'markdown');
    expectValidAdf(doc);
    expect(doc.content[0]).toEqual({ type: 'heading', attrs: { level: 1 }, content: [text('Outage')] });
    expect(doc.content[1]).toEqual(
      paragraph(
        text('Checkout is '),
        text('down', { type: 'strong' }),
        text(' for '),
        text('some', { type: 'em' }),
        text(' users, see '),
        text('the dashboard', { type: 'link', attrs: { href: 'https://grafana.example.com/d/1' } }),
        text('.'),
      ),
    );
    expect(doc.content[2]).toMatchObject({
      type: 'bulletList',
      content: [{ type: 'listItem' }, { type: 'listItem' }],
    });
    expect(JSON.stringify(doc.content[2])).toContain(
      '{"type":"text","text":"one","marks":[{"type":"code"}]}',
    );
    expect(doc.content[3]).toMatchObject({ type: 'orderedList', attrs: { order: 1 } });
    expect(doc.content[4]).toEqual({
      type: 'codeBlock',
      attrs: { language: 'sh' },
      content: [text('kubectl rollout undo deploy/checkout')],
    });
  });

  it('shows raw HTML as typed and never embeds <adf> nodes', () => {
    const markdown =
      'Before\n\n<adf>\n{"type":"extension","attrs":{"extensionKey":"x"}}\n</adf>\n\n<div>\nkept\n</div>';
    const doc = textToAdf(markdown, 'markdown');
    expectValidAdf(doc);
    const json = JSON.stringify(doc);
    expect(json).not.toContain('"type":"extension"');
    expect(json).toContain('<adf>');
    expect(json).toContain('kept');
  });

  it('leaves code that mentions tags untouched', () => {
    const doc = textToAdf('Use `<adf>` or:\n\n```html\n<div class="x">hi</div>\n```', 'markdown');
    expect(JSON.stringify(doc)).toContain('"text":"<adf>","marks":[{"type":"code"}]');
    expect(doc.content[1]).toEqual({
      type: 'codeBlock',
      attrs: { language: 'html' },
      content: [text('<div class="x">hi</div>')],
    });
  });

  it('keeps autolinks, drops link marks that are not http(s) or mailto, makes images links', () => {
    const doc = textToAdf(
      '<https://a.example> [x](javascript:alert(1)) ![logo](https://a.example/l.png)',
      'markdown',
    );
    expectValidAdf(doc);
    const json = JSON.stringify(doc);
    expect(json).toContain('"href":"https://a.example"');
    expect(json).not.toContain('javascript:');
    expect(json).toContain(
      '{"type":"text","text":"logo","marks":[{"type":"link","attrs":{"href":"https://a.example/l.png"}}]}',
    );
  });

  it.each([
    ['an empty code block', '```\n```'],
    ['a list inside a quote', '> - a\n> - b\n>\n> # heading'],
    ['a nested task list', '- [ ] a\n  - [x] b\n  - plain'],
    ['a table with an empty cell', '| a | b |\n|---|---|\n| 1 | |'],
    ['a heading inside a list', '- # big\n- > quoted'],
    ['an empty list item', '-\n- b'],
  ])('repairs %s into valid ADF', (_, markdown) => {
    expectValidAdf(textToAdf(markdown, 'markdown'));
  });

  it('gives valid ADF for random Markdown', () => {
    const atoms = [
      '# ',
      '- ',
      '1. ',
      '> ',
      '```\n',
      '`',
      '*',
      '**',
      '_',
      '~~',
      '[a](http://x)',
      '![i](http://y)',
      '\n',
      '\n\n',
      '  \n',
      'word',
      ' ',
      '|',
      '|---|',
      '<b>',
      '</b>',
      '\\',
      '- [ ] ',
      '- [x] ',
      '    ',
      '***\n',
      '<https://a.b>',
      '\n  - ',
      '\n  > ',
      '> - ',
      '> # ',
      '- # ',
      '- > ',
      '<adf>\n{"type":"rule"}\n</adf>\n',
      '| a | b |\n|---|---|\n| 1 | 2 |\n',
      '\u0000',
      '\r\n',
      '&amp;',
    ];
    const rand = prng(7);
    for (let i = 0; i < 3000; i++) {
      let markdown = '';
      for (let n = 1 + Math.floor(rand() * 25); n > 0; n--)
        markdown += atoms[Math.floor(rand() * atoms.length)];
      const doc = textToAdf(markdown, 'markdown');
      if (!validateAdf(doc))
        throw new Error(
          `invalid ADF for ${JSON.stringify(markdown)}: ${JSON.stringify(validateAdf.errors?.[0])}`,
        );
    }
  });
});

import { describe, expect, it } from 'vitest';
import { generateWorld } from '../../sim/data/generate.ts';
import { resolveOptions } from '../../sim/options.ts';
import { adfToWiki } from '../../sim/render/wiki.ts';
import { hubSignature } from '../../sim/webhooks/signature.ts';

const NOW = Date.UTC(2026, 5, 1);

describe('generateWorld', () => {
  it('builds the same world for the same seed and another for another seed', () => {
    const a = generateWorld(resolveOptions({ seed: 7, sites: 2, issuesPerSite: 50 }), NOW);
    const b = generateWorld(resolveOptions({ seed: 7, sites: 2, issuesPerSite: 50 }), NOW);
    const c = generateWorld(resolveOptions({ seed: 8, sites: 2, issuesPerSite: 50 }), NOW);
    const snapshot = (w: typeof a) =>
      w.stores.map((s) => [
        s.site.cloudId,
        s.ordered.map((i) => [i.key, i.summary, i.updated, i.comments.length]),
      ]);
    expect(snapshot(a)).toEqual(snapshot(b));
    expect(snapshot(a)).not.toEqual(snapshot(c));
    expect(a.users.map((u) => u.accountId)).toEqual(b.users.map((u) => u.accountId));
  });

  it('keeps every timestamp in the past and the search index ordered', () => {
    const { stores } = generateWorld(resolveOptions({ sites: 1, issuesPerSite: 2000 }), NOW);
    const issues = stores[0]?.ordered ?? [];
    expect(issues).toHaveLength(2000);
    for (let i = 1; i < issues.length; i++)
      expect((issues[i]?.updated ?? 0) >= (issues[i - 1]?.updated ?? 0)).toBe(true);
    expect(issues.every((i) => i.updated < NOW && i.created <= i.updated)).toBe(true);
    expect(issues.every((i) => i.comments.every((c) => c.created <= i.updated))).toBe(true);
    expect(issues.some((i) => i.comments.length > 20)).toBe(true); // one issue per site tests the 20-comment cap
  });
});

describe('webhook rendering helpers', () => {
  it('writes ADF as wiki markup with account-id mentions', () => {
    const doc = {
      type: 'doc',
      version: 1,
      content: [
        {
          type: 'paragraph',
          content: [
            { type: 'text', text: 'Hi ' },
            { type: 'mention', attrs: { id: '712020:abc', text: '@Ada' } },
            { type: 'text', text: ' bold', marks: [{ type: 'strong' }] },
          ],
        },
        {
          type: 'bulletList',
          content: [
            { type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'one' }] }] },
          ],
        },
      ],
    };
    expect(adfToWiki(doc)).toBe('Hi [~accountid:712020:abc] *bold*\n\n* one');
  });

  it('signs admin webhooks like the documented test vector', () => {
    expect(hubSignature("It's a Secret to Everybody", 'Hello World!')).toBe(
      'sha256=a4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9',
    );
  });
});

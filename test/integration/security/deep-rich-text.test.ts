import { describe, expect, it } from 'vitest';
import type { IssueChange } from '../../../connectors/jira-change.ts';
import { changesFromWebhook } from '../../../src/normalize/webhook-changes.ts';
import { realWebhookBody } from '../../helpers/jira-webhook.ts';

const maxBody = 1_048_576; // WEBHOOK_MAX_BODY_BYTES's default
const site = { host: 'some-instance-test.atlassian.net', cloudId: 'c1' };

/**
 * A webhook body of at most `maxBody` bytes, as the intake stores it, whose description is `nested`
 * (JSON text: a deeply nested value cannot even be built with JSON.stringify).
 */
function bodyWithDescription(nested: string): string {
  const body = realWebhookBody('issue_updated') as { issue: { fields: Record<string, unknown> } };
  body.issue.fields.description = '@@';
  const text = JSON.stringify(body).replace('"@@"', nested);
  expect(text.length).toBeLessThanOrEqual(maxBody);
  return text;
}

/** ADF lists nested as deep as fit in the body, the words at the bottom. */
function deepAdf(): string {
  const open = '{"type":"bulletList","content":[{"type":"listItem","content":[';
  const close = ']}]}';
  const levels = Math.floor((maxBody - 16_384) / (open.length + close.length));
  const bottom = '{"type":"paragraph","content":[{"type":"text","text":"the words at the bottom"}]}';
  return `{"type":"doc","version":1,"content":[${open.repeat(levels)}${bottom}${close.repeat(levels)}]}`;
}

/** Wiki markup (the webhook's REST v2 shape): a list item nested as deep as fits. */
function deepWiki(): string {
  return JSON.stringify(`${'*'.repeat(maxBody - 16_384)} the words at the bottom`);
}

/**
 * Issue 17, "Deep nesting crashes processing": the ADF and wiki renderers recursed once per level,
 * so a signed delivery (or an issue read back by polling) nested some thousands of levels deep threw
 * RangeError in the events worker, and every retry threw again. Now: a change, with the text.
 */
describe('deeply nested rich text in a delivery', () => {
  it.each([
    ['ADF', deepAdf()],
    ['wiki', deepWiki()],
  ])('normalizes a 1 MiB body of %s nesting into a change that keeps the words', (_kind, nested) => {
    for (const markdown of [false, true]) {
      const started = Date.now();
      const outcome = changesFromWebhook(JSON.parse(bodyWithDescription(nested)), {
        site,
        receivedAt: Date.now(),
        markdown,
      });
      expect(outcome.kind).toBe('changes');
      const [change] = outcome.kind === 'changes' ? outcome.changes : [];
      const description = (change as IssueChange).issue.description;
      expect(description).toContain('the words at the bottom');
      expect(JSON.stringify(change).length).toBeLessThan(10 * maxBody);
      expect(Date.now() - started).toBeLessThan(5000);
    }
  });
});

import { onTestFinished } from 'vitest';
import type { LooseJson } from '../../sim/test-client.ts';
import { WebhookReceiver } from '../../sim/webhook-receiver.ts';
import type { SyncStack } from './sync-stack.ts';

/** What Jira sent for one change, captured so a test can deliver some of it and lose the rest. */
export interface WebhookCapture {
  /** The first body received that `match` accepts (waits for it). */
  body(match: (body: LooseJson) => boolean): Promise<Record<string, unknown>>;
}

/**
 * An admin webhook of site `index` for every issue and comment event, pointed at a receiver of the
 * test's own: the simulator's real bodies reach the test, not the relay, which gets only those the
 * test hands to `SyncStack.webhook` (the others are "lost").
 */
export async function captureWebhooks(s: SyncStack, index = 0): Promise<WebhookCapture> {
  const site = s.stack.sim.sites[index];
  if (!site) throw new Error(`no site ${index}`);
  const receiver = new WebhookReceiver();
  const url = await receiver.start();
  onTestFinished(() => receiver.close());
  s.stack.sim.control.registerAdminWebhook(site.cloudId, {
    url,
    events: [
      'jira:issue_created',
      'jira:issue_updated',
      'jira:issue_deleted',
      'comment_created',
      'comment_updated',
      'comment_deleted',
    ],
  });
  return {
    async body(match) {
      const received = await receiver.waitFor((all) => all.some((d) => match(d.body)), 10_000);
      return received.find((d) => match(d.body))?.body as Record<string, unknown>;
    },
  };
}

/** A body's event, with the finer issue event type where Jira gives one (`jira:issue_updated/issue_comment_deleted`). */
export function eventOf(body: LooseJson): string {
  const type = body.issue_event_type_name;
  return typeof type === 'string' ? `${body.webhookEvent}/${type}` : String(body.webhookEvent);
}

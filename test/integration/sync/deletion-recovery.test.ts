import { describe, expect, it } from 'vitest';
import { pollSite } from '../../../src/sync/incremental-poll.ts';
import { reconcileSite } from '../../../src/sync/reconcile.ts';
import type { ReadEvent } from '../../helpers/kafka-reader.ts';
import { waitUntil } from '../../helpers/wait-until.ts';
import type { LooseJson } from '../../sim/test-client.ts';
import { type SyncStack, startSyncStack } from './sync-stack.ts';
import { captureWebhooks, eventOf } from './webhook-capture.ts';

const T = 'dev.jirarelay.';

function ids(events: readonly ReadEvent[], type: string): Set<unknown> {
  return new Set(events.filter((e) => e.headers.ce_type === T + type).map((e) => e.data.id));
}

async function poll(s: SyncStack) {
  return pollSite(s.workerDeps.clientFor(s.connection(0), 'poll'), s.workerDeps.pass);
}

async function reconcile(s: SyncStack) {
  return reconcileSite(s.workerDeps.clientFor(s.connection(0), 'reconcile'), s.workerDeps.pass);
}

async function commentKnown(s: SyncStack, issueId: string, commentId: string): Promise<boolean> {
  const comments = await s.sync.known.comments(s.connection(0).siteHost, [issueId]);
  return comments.get(issueId)?.has(commentId) ?? false;
}

/** Whether the reconcile still knows the issue or any of these comments of it. */
async function stillKnown(s: SyncStack, issueId: string, commentIds: readonly string[]): Promise<boolean> {
  const host = s.connection(0).siteHost;
  const issues = await s.sync.known.issues(host, [issueId]);
  const comments = (await s.sync.known.comments(host, [issueId])).get(issueId) ?? new Map();
  return issues.has(issueId) || commentIds.some((id) => comments.has(id));
}

async function siteStack() {
  const s = await startSyncStack({ sim: { sites: 1, issuesPerSite: 3 } });
  const site = s.stack.sim.sites[0];
  if (!site || !s.reader) throw new Error('no site');
  return { s, site, sim: s.stack.sim, reader: s.reader, capture: await captureWebhooks(s) };
}

describe('deletion recovery', () => {
  it("publishes a deletion for each known comment of an issue deleted by webhook, though the comments' own webhooks were lost", async () => {
    const { s, site, sim, reader, capture } = await siteStack();
    const issue = sim.createIssue(site.cloudId, { fields: { summary: 'doomed, with comments' } });
    const comments = ['first', 'second'].map((text) => sim.addComment(site.cloudId, issue.key, text));
    await poll(s);
    await reader.waitFor((all) => comments.every((c) => ids(all, 'crm.note.upserted').has(c.id)));
    sim.deleteIssue(site.cloudId, issue.key);
    const deleted = await capture.body(
      (b) => b.webhookEvent === 'jira:issue_deleted' && b.issue?.id === issue.id,
    );
    // Only the issue's deletion reaches the relay: Jira's comment_deleted deliveries are lost.
    await s.webhook(deleted);
    const events = await reader.waitFor(
      (all) => comments.every((c) => ids(all, 'crm.note.deleted').has(c.id)),
      10_000,
    );
    expect(ids(events, 'crm.ticket.deleted').has(issue.id)).toBe(true);
    // Forgotten once their deletions are out: the reconcile has nothing left to report.
    await waitUntil('the issue and its comments to be forgotten', async () => {
      return !(await stillKnown(
        s,
        issue.id,
        comments.map((c) => c.id),
      ));
    });
  });

  it('publishes the deletion of an issue the reconcile finds gone for each of its known comments too', async () => {
    const { s, site, sim, reader } = await siteStack();
    const issue = sim.createIssue(site.cloudId, { fields: { summary: 'gone without a word' } });
    const comments = ['one', 'two'].map((text) => sim.addComment(site.cloudId, issue.key, text));
    await poll(s);
    await reader.waitFor((all) => comments.every((c) => ids(all, 'crm.note.upserted').has(c.id)));
    sim.deleteIssue(site.cloudId, issue.key);
    expect(await reconcile(s)).toMatchObject({ deletedIssues: 1, deletedComments: 2 });
    const events = await reader.waitFor((all) =>
      comments.every((c) => ids(all, 'crm.note.deleted').has(c.id)),
    );
    expect(ids(events, 'crm.ticket.deleted').has(issue.id)).toBe(true);
    await waitUntil('the issue and its comments to be forgotten', async () => {
      return !(await stillKnown(
        s,
        issue.id,
        comments.map((c) => c.id),
      ));
    });
  });

  it('gives an issue and a comment only webhooks saw their tombstones when their deletion webhooks are lost', async () => {
    const { s, site, sim, reader, capture } = await siteStack();
    // Created and deleted between two polls: no poll ever sees them.
    const doomed = sim.createIssue(site.cloudId, { fields: { summary: 'short-lived' } });
    const holder = sim.createIssue(site.cloudId, { fields: { summary: 'keeps its issue' } });
    const comment = sim.addComment(site.cloudId, holder.key, 'short-lived comment');
    const created = (id: string) => (b: LooseJson) =>
      b.webhookEvent === 'jira:issue_created' && b.issue?.id === id;
    await s.webhook(await capture.body(created(doomed.id)));
    await s.webhook(await capture.body(created(holder.id)));
    await s.webhook(
      await capture.body((b) => eventOf(b) === 'comment_created' && b.comment?.id === comment.id),
    );
    await reader.waitFor((all) => ids(all, 'crm.note.upserted').has(comment.id));
    sim.deleteIssue(site.cloudId, doomed.key);
    sim.deleteComment(site.cloudId, holder.key, comment.id);
    // Every deletion webhook is lost; the reconcile is all that is left.
    await reconcile(s);
    await reader.waitFor(
      (all) => ids(all, 'crm.ticket.deleted').has(doomed.id) && ids(all, 'crm.note.deleted').has(comment.id),
      10_000,
    );
    await waitUntil('the deleted ones to be forgotten', async () => {
      return !(await stillKnown(s, doomed.id, [])) && !(await commentKnown(s, holder.id, comment.id));
    });
  });

  it('reads jira:issue_updated with issue_comment_deleted as the comment deletion it is', async () => {
    const { s, site, sim, reader, capture } = await siteStack();
    const issue = sim.createIssue(site.cloudId, { fields: { summary: 'has a comment' } });
    const comment = sim.addComment(site.cloudId, issue.key, 'soon gone');
    await poll(s);
    await reader.waitFor((all) => ids(all, 'crm.note.upserted').has(comment.id));
    sim.deleteComment(site.cloudId, issue.key, comment.id);
    const body = await capture.body(
      (b) => eventOf(b) === 'jira:issue_updated/issue_comment_deleted' && b.comment?.id === comment.id,
    );
    // Jira's comment_deleted is lost; the issue event that carries the deleted comment arrives.
    await s.webhook(body);
    await reader.waitFor((all) => ids(all, 'crm.note.deleted').has(comment.id), 10_000);
    await waitUntil(
      'the comment to be forgotten',
      async () => !(await commentKnown(s, issue.id, comment.id)),
    );
  });
});

describe('comment changes whose own webhooks were lost', () => {
  it("are found by the next poll though the issue's update webhook was published", async () => {
    const { s, site, sim, reader, capture } = await siteStack();
    const issue = sim.createIssue(site.cloudId, { fields: { summary: 'commented on' } });
    await poll(s);
    await reader.waitFor((all) => ids(all, 'crm.ticket.upserted').has(issue.id));
    const comment = sim.addComment(site.cloudId, issue.key, 'only a poll will see me');
    // Jira sends comment_created and an issue update; only the issue update reaches the relay.
    const update = await capture.body(
      (b) => b.webhookEvent === 'jira:issue_updated' && b.issue?.id === issue.id,
    );
    await s.webhook(update);
    await poll(s);
    await reader.waitFor((all) => ids(all, 'crm.note.upserted').has(comment.id), 10_000);
  });
});

import { describe, expect, it } from 'vitest';
import type { EventPublisher } from '../../../src/kafka/event-publisher.ts';
import { pollSite } from '../../../src/sync/incremental-poll.ts';
import type { ReadEvent } from '../../helpers/kafka-reader.ts';
import { waitUntil } from '../../helpers/wait-until.ts';
import { type SyncStack, startSyncStack } from './sync-stack.ts';
import { captureWebhooks } from './webhook-capture.ts';

const TICKET = 'dev.jirarelay.crm.ticket.upserted';
const NOTE = 'dev.jirarelay.crm.note.upserted';

/** A broker that refuses every publish while `away` is set (dead letters still go through). */
function flakyBroker() {
  const broker = { away: false };
  const wrap = (real: EventPublisher): EventPublisher => ({
    publish: async (events) => {
      if (broker.away) throw new Error('broker away (test)');
      await real.publish(events);
    },
    publishDeadLetter: (letter) => real.publishDeadLetter(letter),
    close: () => real.close(),
  });
  return { broker, wrap };
}

/** Whether a ticket of the issue (of that version, when given) is on the CRM topic. */
function published(events: readonly ReadEvent[], issueId: string, version?: number): boolean {
  return events.some(
    (e) =>
      e.headers.ce_type === TICKET &&
      e.key.endsWith(`:${issueId}`) &&
      (version === undefined || Date.parse(e.headers.ce_time ?? '') === version),
  );
}

async function poll(s: SyncStack) {
  return pollSite(s.workerDeps.clientFor(s.connection(0), 'poll'), s.workerDeps.pass);
}

/** Every change goes through the changes queue (its jobs try once), so a job can fail for good. */
async function queuedStack() {
  const { broker, wrap } = flakyBroker();
  const s = await startSyncStack({
    sim: { sites: 1, issuesPerSite: 3 },
    env: { SYNC_INLINE_CHANGES: '0' },
    publisher: wrap,
  });
  const site = s.stack.sim.sites[0];
  if (!site || !s.reader) throw new Error('no site');
  const failedJobs = async () => (await s.changesQueue.getFailed()).length;
  return { s, site, sim: s.stack.sim, reader: s.reader, broker, failedJobs };
}

describe('a change whose job failed for good', () => {
  it('is published by the next poll when a webhook brought it first', async () => {
    const { s, site, sim, reader, broker, failedJobs } = await queuedStack();
    const capture = await captureWebhooks(s);
    const issue = sim.createIssue(site.cloudId, { fields: { summary: 'before' } });
    await poll(s);
    await reader.waitFor((all) => published(all, issue.id));
    await new Promise((r) => setTimeout(r, 5)); // the update gets an `updated` of its own
    const update = sim.updateIssue(site.cloudId, issue.key, { fields: { summary: 'after' } });
    const body = await capture.body(
      (b) =>
        b.webhookEvent === 'jira:issue_updated' &&
        b.issue?.id === issue.id &&
        b.issue?.fields?.summary === 'after',
    );
    broker.away = true;
    // Acknowledged and deferred to the change queue, where its only attempt fails.
    expect(await s.webhook(body)).toEqual({ outcome: 'handled', changes: ['deferred'] });
    await waitUntil('the change job to fail for good', async () => (await failedJobs()) === 1);
    broker.away = false;
    await poll(s);
    await reader.waitFor((all) => published(all, issue.id, update.updated), 10_000);
  });

  it('is queued again by the next poll when the poll itself queued it', async () => {
    const { s, site, sim, reader, broker, failedJobs } = await queuedStack();
    const issue = sim.createIssue(site.cloudId, { fields: { summary: 'polled only' } });
    broker.away = true;
    await poll(s);
    await waitUntil('the change job to fail for good', async () => (await failedJobs()) >= 1);
    broker.away = false;
    // Within the poll overlap: the issue is read again, and its version was never published.
    const again = await poll(s);
    expect(again.changes).toBeGreaterThanOrEqual(1);
    await reader.waitFor((all) => published(all, issue.id), 10_000);
  });

  it('leaves an issue unknown at a version the webhook published while its comment from the poll is not', async () => {
    const { s, site, sim, reader, broker, failedJobs } = await queuedStack();
    const capture = await captureWebhooks(s);
    const issue = sim.createIssue(site.cloudId, { fields: { summary: 'commented' } });
    await poll(s);
    await reader.waitFor((all) => published(all, issue.id));
    const knownVersion = async () =>
      (await s.sync.known.issues(site.host, [issue.id])).get(issue.id)?.version;
    await waitUntil('the polled version to be known', async () => ((await knownVersion()) ?? 0) > 0);
    const polled = await knownVersion();
    await new Promise((r) => setTimeout(r, 5)); // the comment gets an `updated` of its own
    const comment = sim.addComment(site.cloudId, issue.key, 'only a poll will see me');
    // The issue's new version comes by webhook; the comment's own webhook is lost.
    const commented = await capture.body(
      (b) => b.webhookEvent === 'jira:issue_updated' && b.issue_event_type_name === 'issue_commented',
    );
    expect(await s.webhook(commented)).toEqual({ outcome: 'handled', changes: ['processed'] });
    broker.away = true;
    // The issue change is dropped (the webhook published it); the comment is queued, and its job fails.
    expect((await poll(s)).changes).toBe(1);
    await waitUntil('the comment job to fail for good', async () => (await failedJobs()) === 1);
    expect(await knownVersion()).toBe(polled);
    broker.away = false;
    const again = await poll(s);
    expect(again.changes).toBe(1);
    await reader.waitFor((all) => all.some((e) => e.headers.ce_type === NOTE && e.data.id === comment.id));
  });
});

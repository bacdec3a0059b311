import { describe, expect, it } from 'vitest';
import { slotTag } from '../../../src/state/redis-client.ts';
import { pollSite } from '../../../src/sync/incremental-poll.ts';
import type { ReadEvent } from '../../helpers/kafka-reader.ts';
import type { LooseJson } from '../../sim/test-client.ts';
import { type SyncStack, startSyncStack } from './sync-stack.ts';
import { captureWebhooks } from './webhook-capture.ts';

const TICKET = 'dev.jirarelay.crm.ticket.upserted';
const DAY = 86_400_000;

function ticketAt(events: readonly ReadEvent[], issueId: string, version: number): boolean {
  return events.some(
    (e) =>
      e.headers.ce_type === TICKET &&
      e.key.endsWith(`:${issueId}`) &&
      Date.parse(e.headers.ce_time ?? '') === version,
  );
}

/** A simulator whose clock a test can put a day ahead for one edit: Jira writes a future `updated`. */
async function skewedStack() {
  const clock = { aheadMs: 0 };
  const s = await startSyncStack({
    sim: { sites: 1, issuesPerSite: 3, now: () => Date.now() + clock.aheadMs },
  });
  const site = s.stack.sim.sites[0];
  if (!site || !s.reader) throw new Error('no site');
  const editFromTheFuture = (key: string, summary: string) => {
    clock.aheadMs = DAY;
    try {
      return s.stack.sim.updateIssue(site.cloudId, key, { fields: { summary } });
    } finally {
      clock.aheadMs = 0;
    }
  };
  return { s, site, sim: s.stack.sim, reader: s.reader, editFromTheFuture };
}

async function deadLetterOf(s: SyncStack, issueId: string): Promise<ReadEvent> {
  const events = await (s.reader as NonNullable<SyncStack['reader']>).waitFor(
    (all) => all.some((e) => e.topic === s.topics.dlq && e.key.endsWith(`:${issueId}`)),
    15_000,
  );
  return events.find((e) => e.topic === s.topics.dlq && e.key.endsWith(`:${issueId}`)) as ReadEvent;
}

/** Nothing of the entity's state was written: no processed version, no published marker, not known. */
async function expectNoState(s: SyncStack, host: string, issueId: string): Promise<void> {
  const ref = { siteHost: host, entity: 'issue' as const, entityId: issueId };
  expect(await s.published.current({ ...ref, connector: 'crm' })).toBeNull();
  expect(await s.published.current({ ...ref, connector: 'monitoring' })).toBeNull();
  expect(
    await s.stack.redis.exists(
      `${s.stack.keyPrefix}:entity:${slotTag(s.stack.redis, host)}:issue:${issueId}`,
    ),
  ).toBe(0);
  expect(await s.sync.known.issues(host, [issueId])).toEqual(new Map());
}

const bySummary = (issueId: string, summary: string) => (b: LooseJson) =>
  b.webhookEvent === 'jira:issue_updated' && b.issue?.id === issueId && b.issue?.fields?.summary === summary;

describe('a version far in the future', () => {
  it('is dead-lettered from a webhook, touches no state, and holds back no real update after it', async () => {
    const { s, site, sim, reader, editFromTheFuture } = await skewedStack();
    const capture = await captureWebhooks(s);
    const issue = sim.createIssue(site.cloudId, { fields: { summary: 'now' } });
    const future = editFromTheFuture(issue.key, 'from the future');
    await s.webhook(await capture.body(bySummary(issue.id, 'from the future')));
    const letter = await deadLetterOf(s, issue.id);
    expect(letter.data).toMatchObject({
      error: { message: expect.stringMatching(/^future_version/), retryable: false },
      input: { change: { version: future.updated, issue: { id: issue.id } } },
    });
    await expectNoState(s, site.host, issue.id);
    const real = sim.updateIssue(site.cloudId, issue.key, { fields: { summary: 'real' } });
    await s.webhook(await capture.body(bySummary(issue.id, 'real')));
    const events = await reader.waitFor((all) => ticketAt(all, issue.id, real.updated));
    expect(ticketAt(events, issue.id, future.updated)).toBe(false);
  });

  it('is dead-lettered from a poll, touches no state, and the poll goes on finding real updates', async () => {
    const { s, site, sim, reader, editFromTheFuture } = await skewedStack();
    const poll = () => pollSite(s.workerDeps.clientFor(s.connection(0), 'poll'), s.workerDeps.pass);
    const ahead = sim.createIssue(site.cloudId, { fields: { summary: 'will be ahead' } });
    const other = sim.createIssue(site.cloudId, { fields: { summary: 'an ordinary issue' } });
    const future = editFromTheFuture(ahead.key, 'from the future');
    await poll();
    const letter = await deadLetterOf(s, ahead.id);
    expect(letter.data).toMatchObject({
      error: { message: expect.stringMatching(/^future_version/), retryable: false },
      input: { change: { version: future.updated, source: 'poll' } },
    });
    await expectNoState(s, site.host, ahead.id);
    // The poll cursor did not jump a day ahead with that issue: the next poll still finds this edit.
    expect((await s.sync.cursors.poll(s.connection(0).id)).cursor ?? 0).toBeLessThanOrEqual(Date.now());
    const real = sim.updateIssue(site.cloudId, other.key, { fields: { summary: 'edited' } });
    await poll();
    await reader.waitFor((all) => ticketAt(all, other.id, real.updated));
    expect(ticketAt(reader.events, ahead.id, future.updated)).toBe(false);
  });
});

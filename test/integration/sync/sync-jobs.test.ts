import { describe, expect, it } from 'vitest';
import type { ReadEvent } from '../../helpers/kafka-reader.ts';
import { waitUntil } from '../../helpers/wait-until.ts';
import { obtainTokens } from '../../sim/test-client.ts';
import { type SyncStack, startSyncStack } from './sync-stack.ts';

const T = 'dev.jirarelay.';

async function backfillDone(s: SyncStack, index: number): Promise<boolean> {
  return (await s.sync.cursors.backfill(s.connection(index).id))?.status === 'done';
}

function ofType(events: readonly ReadEvent[], type: string): ReadEvent[] {
  return events.filter((e) => e.headers.ce_type === T + type);
}

describe('sync jobs on the sync worker', () => {
  it('publishes all 250 comments of an issue, beyond the 20 a search embeds', async () => {
    const s = await startSyncStack({ sim: { sites: 1, issuesPerSite: 3 } });
    const site = s.stack.sim.sites[0];
    if (!site || !s.reader) throw new Error('no site');
    const issue = s.stack.sim.createIssue(site.cloudId, { fields: { summary: 'Busy issue' } });
    for (let i = 0; i < 250; i++) s.stack.sim.addComment(site.cloudId, issue.key, `comment ${i}`);
    await s.sync.scheduler.connected([s.connection(0).id]);
    s.startSyncWorker();
    const events = await s.reader.waitFor(
      (all) =>
        new Set(
          ofType(all, 'crm.note.upserted')
            .filter((e) => e.key.endsWith(`:${issue.id}`))
            .map((e) => e.data.id),
        ).size >= 250,
      60_000,
    );
    const notes = ofType(events, 'crm.note.upserted').filter((e) => e.key.endsWith(`:${issue.id}`));
    const texts = new Set(notes.map((e) => e.data.text));
    expect(texts.size).toBe(250);
    expect(texts.has('comment 0') && texts.has('comment 249')).toBe(true);
  });

  it('turns a deleted issue and a deleted comment, without any webhook, into tombstones on reconcile', async () => {
    // A reconcile waits an interval after the backfill started (it stands for one): 1 s here.
    const s = await startSyncStack({
      sim: { sites: 1, issuesPerSite: 20 },
      env: { SYNC_RECONCILE_INTERVAL_SECONDS: '1' },
    });
    const site = s.stack.sim.sites[0];
    if (!site || !s.reader) throw new Error('no site');
    const doomed = s.stack.sim.createIssue(site.cloudId, { fields: { summary: 'to be deleted' } });
    const kept = s.stack.sim.createIssue(site.cloudId, { fields: { summary: 'keeps its issue' } });
    const comment = s.stack.sim.addComment(site.cloudId, kept.key, 'to be deleted too');
    const id = s.connection(0).id;
    await s.sync.scheduler.connected([id]);
    s.startSyncWorker();
    await waitUntil('the backfill', () => backfillDone(s, 0));
    await s.reader.waitFor((all) => ofType(all, 'crm.note.upserted').some((e) => e.data.id === comment.id));
    expect(s.stack.sim.control.deliveries()).toHaveLength(0); // no webhook registered: polling only
    s.stack.sim.deleteIssue(site.cloudId, doomed.key);
    s.stack.sim.deleteComment(site.cloudId, kept.key, comment.id);
    const startedAt = (await s.sync.cursors.backfill(id))?.startedAt ?? 0;
    await waitUntil('a reconcile interval since the backfill started', () => Date.now() - startedAt > 1000);
    await s.syncQueue.add('sync.reconcile', { connectionId: id });
    const events = await s.reader.waitFor(
      (all) =>
        ofType(all, 'crm.ticket.deleted').some((e) => e.data.id === doomed.id) &&
        ofType(all, 'crm.note.deleted').some((e) => e.data.id === comment.id),
    );
    expect(ofType(events, 'crm.ticket.deleted').map((e) => e.data.id)).toEqual([doomed.id]);
    // What the reconcile found gone is forgotten once its deletion is published: wait for it.
    await waitUntil('the reconcile to forget the deleted issue', async () => {
      const known = await s.sync.known.issues(site.host, [doomed.id, kept.id]);
      return !known.has(doomed.id);
    });
    expect(await s.sync.known.issues(site.host, [doomed.id, kept.id])).toEqual(
      new Map([[kept.id, expect.objectContaining({ key: kept.key })]]),
    );
    expect((await s.sync.known.comments(site.host, [kept.id])).get(kept.id)?.has(comment.id)).toBe(false);
  });

  it('leaves the reconcile of a site to after its backfill, and a reconcile interval after that backfill started', async () => {
    const s = await startSyncStack({ sim: { sites: 1, issuesPerSite: 20 }, kafka: false });
    const site = s.stack.sim.sites[0];
    if (!site) throw new Error('no site');
    const id = s.connection(0).id;
    const searches = () =>
      Object.entries(s.stack.sim.stats().requests)
        .filter(([route]) => route.includes('/search/jql'))
        .reduce((sum, [, n]) => sum + n, 0);
    await s.sync.known.rememberIssue(site.host, { id: '10000', version: 1, key: 'OPS-1' });
    await s.sync.cursors.startBackfill(id, null, Date.now());
    s.startSyncWorker();
    const reconcile = async () => {
      const job = await s.syncQueue.add('sync.reconcile', { connectionId: id });
      await waitUntil('the reconcile', async () => (await job.getState()) === 'completed');
      return (await s.syncQueue.getJob(job.id ?? ''))?.returnvalue;
    };
    const before = searches();
    expect(await reconcile()).toMatchObject({ skipped: 'backfill running', known: 1 });
    expect(searches()).toBe(before);
    const finish = async () =>
      s.sync.cursors.saveBackfill(id, (await s.sync.cursors.backfill(id))?.generation ?? 0, {
        after: null,
        issues: 0,
        changes: 0,
        status: 'done',
      });
    // Just finished: the backfill read every issue there was when it started; it stands for a reconcile.
    await finish();
    expect(await reconcile()).toMatchObject({ skipped: 'backfill recent', known: 1 });
    expect(searches()).toBe(before);
    // A backfill that started a reconcile interval ago (the default, a day) no longer does.
    await s.sync.cursors.startBackfill(id, null, Date.now() - 86_400_000 - 1000);
    await finish();
    expect(await reconcile()).not.toHaveProperty('skipped');
    expect(searches()).toBeGreaterThan(before);
  });

  it('lets a site of 100 issues finish its backfill first, within its fair share, while a site of 50,000 backfills under a tight budget', async () => {
    const s = await startSyncStack({
      sim: { sites: 2, issuesPerSite: 100 },
      kafka: false,
      env: {
        // 480 points for backfills in a window longer than the test: the big site alone would spend it all.
        JIRA_POINTS_PER_HOUR: '600',
        JIRA_BUDGET_WINDOW_SECONDS: '600',
        JIRA_SEARCH_PAGE_SIZE: '50',
        SYNC_BACKFILL_SLICE_PAGES: '2',
        JIRA_BUDGET_SHARE_RETRY_MS: '100',
      },
    });
    const big = s.stack.sim.sites[0];
    if (!big) throw new Error('no site');
    for (let i = 0; i < 49_900; i++)
      s.stack.sim.createIssue(big.cloudId, { fields: { summary: `bulk ${i}` } });
    expect(s.stack.sim.control.state().sites[0]?.issues).toBe(50_000);
    const [bigId, smallId] = [s.connection(0).id, s.connection(1).id];
    // Two backfills and nothing else (no polls), the big one asked for first.
    await s.sync.control.backfill(bigId, null);
    await s.sync.control.backfill(smallId, null);
    s.startSyncWorker(2);
    await waitUntil('the small backfill', () => backfillDone(s, 1), { timeoutMs: 30_000 });
    expect(await backfillDone(s, 0)).toBe(false);
    const fairShare = s.sync.budget.capOf('backfill') / 2;
    const small = s.connection(1).siteHost;
    expect((await s.sync.budget.lifetimePoints())[small]).toBeLessThanOrEqual(fairShare);
    // The big site is not starved either: it goes on with the rest of the window.
    await waitUntil(
      'the big site to progress',
      async () => ((await s.sync.cursors.backfill(bigId))?.issues ?? 0) > 0,
    );
    await waitUntil(
      'the window to be spent',
      async () => (await s.sync.budget.snapshot()).spent > fairShare * 2 - 51,
    );
    const spent = await s.sync.budget.lifetimePoints();
    expect(spent[big.host]).toBeGreaterThan(fairShare);
    expect((spent[big.host] ?? 0) + (spent[small] ?? 0)).toBeLessThanOrEqual(s.sync.budget.capOf('poll'));
  }, 90_000);

  it('after a quota 429 makes no call at all until the reset, then carries on', async () => {
    // Long enough that a slow start of the sync worker still meets the wall inside the same window.
    const windowMs = 10_000;
    const s = await startSyncStack({
      sim: { sites: 1, issuesPerSite: 300, pointsPerWindow: 500, quotaWindowSeconds: windowMs / 1000 },
      kafka: false,
      env: { JIRA_BUDGET_WINDOW_SECONDS: String(windowMs / 1000), JIRA_POINTS_PER_HOUR: '100000' },
    });
    const site = s.stack.sim.sites[0];
    if (!site) throw new Error('no site');
    await s.sync.scheduler.connected([s.connection(0).id]);
    // Another process of the app spends the whole quota early in a window (it gets the first 429).
    await new Promise((r) => setTimeout(r, windowMs - (s.stack.sim.clock.now() % windowMs) + 50));
    const { access_token } = await obtainTokens(s.stack.sim.url);
    const search = `${s.stack.sim.url}/ex/jira/${site.cloudId}/rest/api/3/search/jql`;
    for (let status = 200; status !== 429; ) {
      const response = await fetch(search, {
        method: 'POST',
        headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ jql: 'project = OPS', maxResults: 100, fields: ['summary'] }),
      });
      status = response.status;
    }
    const resetAt = Math.ceil(s.stack.sim.clock.now() / windowMs) * windowMs;
    const jiraCalls = () =>
      Object.entries(s.stack.sim.stats().requests)
        .filter(([route]) => route.includes('/rest/api/3/'))
        .reduce((sum, [, n]) => sum + n, 0);
    s.startSyncWorker();
    await waitUntil(
      'the relay to meet the quota',
      () => (s.stack.sim.stats().rateLimited['jira-quota-global-based'] ?? 0) >= 2,
    );
    // The relay records the pause when the 429 reaches it, a moment after the simulator counted it.
    await waitUntil('the quota pause', async () => (await s.sync.budget.quotaBlockedMs(site.host)) > 0);
    const atRefusal = jiraCalls();
    // Until the reset the simulator sees nothing more from the relay.
    await new Promise((r) => setTimeout(r, Math.max(0, resetAt - s.stack.sim.clock.now() - 100)));
    expect(jiraCalls()).toBe(atRefusal);
    await waitUntil('the backfill', () => backfillDone(s, 0), { timeoutMs: 30_000 });
    expect(jiraCalls()).toBeGreaterThan(atRefusal);
    // One 429 for the other process, one for the relay: no call of the relay met the wall again.
    expect(s.stack.sim.stats().rateLimited['jira-quota-global-based']).toBe(2);
    expect((await s.sync.cursors.backfill(s.connection(0).id))?.issues).toBeGreaterThanOrEqual(300);
  }, 60_000);
});

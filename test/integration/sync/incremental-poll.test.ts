import { describe, expect, it } from 'vitest';
import { pollSite } from '../../../src/sync/incremental-poll.ts';
import type { ReadEvent } from '../../helpers/kafka-reader.ts';
import { type SyncStack, startSyncStack } from './sync-stack.ts';
import { captureWebhooks } from './webhook-capture.ts';

const CRM_TICKET = 'dev.jirarelay.crm.ticket.upserted';

/** CRM ticket versions published per issue id, as epoch ms. */
function ticketVersions(events: readonly ReadEvent[]): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  for (const e of events) {
    if (e.headers.ce_type !== CRM_TICKET) continue;
    const id = e.key.split(':')[1] ?? '';
    out.set(id, (out.get(id) ?? new Set()).add(Date.parse(e.headers.ce_time ?? '')));
  }
  return out;
}

async function poll(s: SyncStack, index = 0) {
  const connection = s.connection(index);
  return pollSite(s.workerDeps.clientFor(connection, 'poll'), s.workerDeps.pass);
}

/** Points the simulator charged site `index` on a Jira route ("GET project/search"), or on all of them. */
function charged(s: SyncStack, route?: string, index = 0): number {
  const stats = s.stack.sim.stats();
  if (route === undefined) return stats.pointsBySite[s.connection(index).cloudId] ?? 0;
  const [method, path] = route.split(' ');
  return stats.pointsByRoute[`${method} /ex/jira/:cloudId/rest/api/3/${path}`] ?? 0;
}

const COMMENT_PAGES = 'GET issue/:issueIdOrKey/comment';

/** An issue with more comments than a search embeds (20), created after the connection. */
function talkativeIssue(s: SyncStack, comments: number) {
  const site = s.stack.sim.sites[0];
  if (!site) throw new Error('no site');
  const issue = s.stack.sim.createIssue(site.cloudId, { fields: { summary: 'talkative' } });
  for (let n = 0; n < comments; n++) s.stack.sim.addComment(site.cloudId, issue.key, `comment ${n}`);
  return { site, issue };
}

/**
 * A talkative issue published by a poll, then updated, and that update delivered by webhook and
 * published: known still at the polled version (a webhook's version is known as 0).
 */
async function publishedByWebhook(s: SyncStack) {
  const capture = await captureWebhooks(s);
  const { site, issue } = talkativeIssue(s, 25);
  const knownVersion = async () => (await s.sync.known.issues(site.host, [issue.id])).get(issue.id)?.version;
  await poll(s);
  const polled = await knownVersion();
  expect(polled).toBeGreaterThan(0);
  await new Promise((r) => setTimeout(r, 5)); // the update gets an `updated` of its own
  const update = s.stack.sim.updateIssue(site.cloudId, issue.key, { fields: { summary: 'hooked' } });
  const hooked = await capture.body(
    (body) => body.webhookEvent === 'jira:issue_updated' && body.issue?.fields?.summary === 'hooked',
  );
  expect(await s.webhook(hooked)).toEqual({ outcome: 'handled', changes: ['processed'] });
  return { update, polled, knownVersion };
}

describe('incremental poll', () => {
  it.each([
    ['UTC+10', 'Etc/GMT-10'],
    ['UTC-8', 'Etc/GMT+8'],
  ])('loses nothing updated in the same minute as the cursor for a user at %s', async (_, zone) => {
    const s = await startSyncStack({
      sim: { sites: 1, issuesPerSite: 10 },
      env: { SYNC_POLL_OVERLAP_MS: '0' },
      beforeConsent: (sim) => {
        // The consenting account runs every search: put it in the zone under test.
        const user = sim.control.state().users[1] as { accountId: string; timeZone: string };
        user.timeZone = zone;
        return user.accountId;
      },
    });
    const site = s.stack.sim.sites[0];
    if (!site || !s.reader) throw new Error('no site');
    const created = [1, 2, 3].map((n) =>
      s.stack.sim.createIssue(site.cloudId, { fields: { summary: `issue ${n}` } }),
    );
    await s.sync.cursors.rewind(s.connection(0).id, 0);
    await poll(s);
    // The updates below must fall in the cursor's minute: never start a second before the next one.
    const intoMinute = s.stack.sim.clock.now() % 60_000;
    if (intoMinute > 59_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 10));
    const cursor = s.stack.sim.clock.now();
    await s.sync.cursors.rewind(s.connection(0).id, cursor);
    const updated = created.map((c) =>
      s.stack.sim.updateIssue(site.cloudId, c.key, { fields: { summary: 'changed' } }),
    );
    expect(Math.floor(Math.max(...updated.map((u) => u.updated)) / 60_000)).toBe(Math.floor(cursor / 60_000));
    const outcome = await poll(s);
    expect(outcome.changes).toBe(updated.length);
    await s.reader.waitFor((all) => {
      const versions = ticketVersions(all);
      return updated.every((u) => versions.get(u.id)?.has(u.updated));
    });
    expect((await s.sync.cursors.poll(s.connection(0).id)).cursor).toBe(
      Math.max(...updated.map((u) => u.updated)),
    );
  });

  it('submits nothing again for versions it already published (dedupe by id and updated)', async () => {
    const s = await startSyncStack({ sim: { sites: 1, issuesPerSite: 30 } });
    await s.sync.cursors.rewind(s.connection(0).id, 0);
    const first = await poll(s);
    expect(first.issues).toBe(30);
    expect(first.changes).toBeGreaterThanOrEqual(30);
    await s.sync.cursors.rewind(s.connection(0).id, 0);
    const second = await poll(s);
    expect(second).toMatchObject({ issues: 30, changes: 0 });
  });

  it('moves the cursor only past pages whose changes are queued', async () => {
    const s = await startSyncStack({ sim: { sites: 1, issuesPerSite: 250 }, kafka: false });
    const id = s.connection(0).id;
    await s.sync.cursors.rewind(id, 0);
    const client = s.workerDeps.clientFor(s.connection(0), 'poll');
    // Once the first page is queued, the next search fails for good (a 400 is not retried).
    const failNextSearch = async () =>
      s.stack.sim.setFaults({ failNext: [{ path: 'search/jql', status: 400 }] });
    await expect(pollSite(client, s.workerDeps.pass, failNextSearch)).rejects.toThrow(/HTTP 400/);
    const issueVersions = async () =>
      (await s.changesQueue.getJobs(['waiting']))
        .map((j) => (j.data as { change: { entity: string; version: number; issue: { id: string } } }).change)
        .filter((c) => c.entity === 'issue');
    const firstPage = await issueVersions();
    expect(firstPage).toHaveLength(100);
    expect((await s.sync.cursors.poll(id)).cursor).toBe(Math.max(...firstPage.map((c) => c.version)));
    s.stack.sim.setFaults({});
    const resumed = await pollSite(client, s.workerDeps.pass);
    expect(resumed.issues).toBe(150 + 1);
    expect(new Set((await issueVersions()).map((c) => c.issue.id)).size).toBe(250);
  });

  it('skips what a webhook already delivered and published, and records which path saw each change first', async () => {
    const s = await startSyncStack({ sim: { sites: 1, issuesPerSite: 5 } });
    const site = s.stack.sim.sites[0];
    if (!site || !s.reader) throw new Error('no site');
    const capture = await captureWebhooks(s);
    const [a, b] = [1, 2].map((n) =>
      s.stack.sim.createIssue(site.cloudId, { fields: { summary: `issue ${n}` } }),
    );
    if (!a || !b) throw new Error('no issues');
    await poll(s);
    await new Promise((r) => setTimeout(r, 5)); // updates get an `updated` of their own
    const viaWebhook = s.stack.sim.updateIssue(site.cloudId, a.key, { fields: { summary: 'hooked' } });
    const pollOnly = s.stack.sim.updateIssue(site.cloudId, b.key, { fields: { summary: 'missed' } });
    const hooked = await capture.body(
      (body) => body.webhookEvent === 'jira:issue_updated' && body.issue?.fields?.summary === 'hooked',
    );
    expect(await s.webhook(hooked)).toEqual({ outcome: 'handled', changes: ['processed'] });
    const outcome = await poll(s);
    expect(outcome.changes).toBe(1);
    const events = await s.reader.waitFor(
      (all) => ticketVersions(all).get(b.id)?.has(pollOnly.updated) ?? false,
    );
    expect(ticketVersions(events).get(a.id)?.has(viaWebhook.updated)).toBe(true);
    const share = await s.sync.coverage.share(site.host);
    // The two creations and the second update reached the relay by polling only. The poll skips the
    // webhook's version by what is known before it sights it: no lateness of the poll is measured.
    expect(share).toMatchObject({ webhookFirst: 1, pollFirst: 3, pollOnly: 3, pollOnlyShare: 0.75 });
  });

  it('reads the comments of an issue a webhook published once, then knows its version and skips it', async () => {
    const s = await startSyncStack({ sim: { sites: 1, issuesPerSite: 3 } });
    const { update, polled, knownVersion } = await publishedByWebhook(s);
    expect(await knownVersion()).toBe(polled);
    const before = charged(s, COMMENT_PAGES);
    // Within the overlap: the poll reads the webhook's version, and every comment past the 20 embedded.
    const first = await poll(s);
    expect(first.changes).toBe(0);
    expect(charged(s, COMMENT_PAGES) - before).toBe(1 + 25);
    expect(await knownVersion()).toBe(update.updated);
    const second = await poll(s);
    expect(second).toMatchObject({ issues: first.issues, changes: 0 });
    expect(charged(s, COMMENT_PAGES) - before).toBe(1 + 25);
    expect(second.points).toBe(first.points - (1 + 25));
  });

  it('does not know the version of an issue a webhook published while its comment list was not read', async () => {
    const s = await startSyncStack({ sim: { sites: 1, issuesPerSite: 3 } });
    const { update, polled, knownVersion } = await publishedByWebhook(s);
    // The list past the embedded comments fails as for an issue gone between the search and the read.
    s.stack.sim.setFaults({ failNext: [{ path: '/comment', status: 404 }] });
    expect((await poll(s)).changes).toBe(0);
    expect(await knownVersion()).toBe(polled);
    const before = charged(s, COMMENT_PAGES);
    await poll(s);
    expect(charged(s, COMMENT_PAGES) - before).toBe(1 + 25);
    expect(await knownVersion()).toBe(update.updated);
  });

  it('reports the points it charged: the search, comment pages past the embedded ones, and a project listing', async () => {
    const s = await startSyncStack({ sim: { sites: 1, issuesPerSite: 3 }, kafka: false });
    talkativeIssue(s, 25);
    const id = s.connection(0).id;
    const spent = () => ({
      all: charged(s),
      search: charged(s, 'POST search/jql'),
      listing: charged(s, 'GET project/search'),
      comments: charged(s, COMMENT_PAGES),
    });
    const delta = (from: ReturnType<typeof spent>) => {
      const to = spent();
      return {
        all: to.all - from.all,
        search: to.search - from.search,
        listing: to.listing - from.listing,
        comments: to.comments - from.comments,
      };
    };
    // Cold: the project list is not cached yet, so this poll lists the projects.
    const cold = spent();
    const first = await poll(s);
    const firstSpent = delta(cold);
    expect(firstSpent.listing).toBeGreaterThan(1);
    expect(firstSpent.comments).toBe(1 + 25);
    expect(firstSpent.search).toBe(1 + first.issues);
    expect(first.points).toBe(firstSpent.listing + firstSpent.comments + firstSpent.search);
    expect(first.points).toBe(firstSpent.all);
    expect((await s.sync.cursors.poll(id)).pointsPerPoll).toBe(first.points);
    // Warm: no listing. The issue is read again (its changes wait in the queue, not published).
    const warm = spent();
    const second = await poll(s);
    const secondSpent = delta(warm);
    expect(secondSpent).toMatchObject({ listing: 0, comments: 1 + 25 });
    expect(second.points).toBe(secondSpent.all);
  });
});

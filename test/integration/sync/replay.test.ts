import { describe, expect, it, onTestFinished } from 'vitest';
import { pollSite } from '../../../src/sync/incremental-poll.ts';
import { startSyncWorker } from '../../../workers/sync-worker.ts';
import type { ReadEvent } from '../../helpers/kafka-reader.ts';
import { type SyncStack, startSyncStack } from './sync-stack.ts';

const TICKET = 'dev.jirarelay.crm.ticket.upserted';
const NOTE = 'dev.jirarelay.crm.note.upserted';
const ISSUES = 500;
const CHANGED = 50;

/** Waits until `done` holds, polling every 50 ms. */
async function until(done: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The latest ce_id of each Kafka key among events of this type (events in read order). */
function latestIds(events: readonly ReadEvent[], type: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of events) if (e.headers.ce_type === type) out.set(e.key, e.headers.ce_id ?? '');
  return out;
}

/** A sync worker on the stack's queue whose paused backfills and replays look again every 100 ms. */
function worker(s: SyncStack) {
  const w = startSyncWorker(
    s.workerConnection,
    { ...s.workerDeps, pausedRetryMs: 100 },
    {
      concurrency: 2,
      lockDurationMs: 30_000,
    },
  );
  w.on('error', () => undefined);
  return w;
}

/** Waits for the replay started at or after `since` to finish. */
async function replayDone(s: SyncStack, since: number): Promise<void> {
  await until(async () => {
    const replay = (await s.sync.control.progress(s.connection(0).id))?.replay;
    return replay?.state === 'done' && replay.startedAt >= since;
  });
}

/** Points the simulator charged the site (by cloud id). */
const points = (s: SyncStack) => s.stack.sim.stats().pointsBySite[s.connection(0).cloudId] ?? 0;

describe('replay', () => {
  it('re-emits a window under the original ce_ids, for the connectors asked, at a backfill’s cost', async () => {
    const s = await startSyncStack({
      sim: { sites: 1, issuesPerSite: ISSUES },
      env: { SYNC_BACKFILL_SLICE_PAGES: '2' },
    });
    const reader = s.reader;
    if (!reader) throw new Error('no reader');
    const connection = s.connection(0);
    const site = s.stack.sim.sites[0];
    if (!site) throw new Error('no site');
    const w = worker(s);
    onTestFinished(() => w.close());

    // Everything published once by a backfill.
    const beforeBackfill = points(s);
    await s.sync.control.backfill(connection.id, null);
    await until(async () => (await s.sync.cursors.backfill(connection.id))?.status === 'done');
    const backfillPoints = points(s) - beforeBackfill;
    await reader.waitFor((all) => latestIds(all, TICKET).size === ISSUES);

    // Then 50 issues change (5 with a new comment), published live by a poll.
    const windowStart = s.stack.sim.clock.now();
    await new Promise((r) => setTimeout(r, 5));
    const changed: string[] = [];
    for (let n = 0; n < CHANGED; n++) {
      const id = String(10_000 + n * 7);
      s.stack.sim.updateIssue(site.cloudId, id, { fields: { summary: `changed ${n}` } });
      if (n % 10 === 0) s.stack.sim.addComment(site.cloudId, id, `note ${n}`);
      changed.push(`${site.host}:${id}`);
    }
    await s.sync.cursors.rewind(connection.id, windowStart - 1000);
    await pollSite(s.workerDeps.clientFor(connection, 'poll'), s.workerDeps.pass);
    const live = await reader.waitFor(
      (all) => all.filter((e) => e.headers.ce_type === TICKET).length >= ISSUES + CHANGED,
    );
    await new Promise((r) => setTimeout(r, 500));
    const original = { tickets: latestIds(reader.events, TICKET), notes: latestIds(reader.events, NOTE) };
    const monitoringBefore = new Set(
      reader.events.filter((e) => e.topic === s.topics.monitoring).map((e) => e.headers.ce_id),
    );
    const marker = (id: string) =>
      s.published.current({ connector: 'crm', siteHost: site.host, entity: 'issue', entityId: id });
    const markerBefore = await marker('10000');
    expect(live.length).toBeGreaterThan(ISSUES);

    // A consumer lost its data: replay the window, to CRM only.
    let mark = reader.events.length;
    const beforeWindow = points(s);
    let requested = s.stack.sim.clock.now();
    await s.sync.control.replay(connection.id, {
      from: windowStart,
      to: Date.now() + 1000,
      connectors: ['crm'],
    });
    await replayDone(s, requested);
    const windowPoints = points(s) - beforeWindow;
    await reader.waitFor((all) => latestIds(all.slice(mark), TICKET).size >= CHANGED);
    await new Promise((r) => setTimeout(r, 500));
    const windowEvents = reader.events.slice(mark);
    const replayedTickets = latestIds(windowEvents, TICKET);
    // Every changed issue's current version, under the ce_id it was published with; nothing else.
    expect([...replayedTickets.keys()].sort()).toEqual([...changed].sort());
    for (const [key, id] of replayedTickets) expect(id).toBe(original.tickets.get(key));
    const replayedNotes = latestIds(windowEvents, NOTE);
    expect(replayedNotes.size).toBe(5);
    for (const [key, id] of replayedNotes) expect(id).toBe(original.notes.get(key));
    // Monitoring was not asked; markers did not move.
    expect(windowEvents.filter((e) => e.topic === s.topics.monitoring)).toEqual([]);
    expect(await marker('10000')).toEqual(markerBefore);

    // The whole site, both connectors: every issue again, same ids, about a backfill's points.
    mark = reader.events.length;
    const beforeSite = points(s);
    requested = s.stack.sim.clock.now();
    await s.sync.control.replay(connection.id, { from: 0, to: Date.now() + 1000, connectors: null });
    await replayDone(s, requested);
    const sitePoints = points(s) - beforeSite;
    await reader.waitFor((all) => latestIds(all.slice(mark), TICKET).size === ISSUES);
    await new Promise((r) => setTimeout(r, 500));
    const siteEvents = reader.events.slice(mark);
    for (const [key, id] of latestIds(siteEvents, TICKET)) expect(id).toBe(original.tickets.get(key));
    // Each incident's latest lifecycle event is re-emitted under its original id.
    const incidents = new Map<string, string>();
    for (const e of reader.events.slice(0, mark)) {
      if (e.topic === s.topics.monitoring && !e.headers.ce_type?.endsWith('annotated'))
        incidents.set(e.key, e.headers.ce_id ?? '');
    }
    const replayedMonitoring = new Set(
      siteEvents.filter((e) => e.topic === s.topics.monitoring).map((e) => e.headers.ce_id),
    );
    expect(incidents.size).toBeGreaterThan(0);
    for (const id of incidents.values()) expect(replayedMonitoring.has(id)).toBe(true);
    const fresh = [...replayedMonitoring].filter((id) => !monitoringBefore.has(id));
    const progress = (await s.sync.control.progress(connection.id))?.replay;
    expect(progress).toMatchObject({ state: 'done', done: ISSUES, total: ISSUES, etaSeconds: 0 });
    expect(sitePoints).toBeGreaterThan(backfillPoints * 0.9);
    expect(sitePoints).toBeLessThan(backfillPoints * 1.1 + 5);
    // A backfill of the window's issues, for comparison with the window's replay.
    const beforeWindowBackfill = points(s);
    await s.sync.control.backfill(connection.id, new Date(windowStart));
    await until(async () => (await s.sync.cursors.backfill(connection.id))?.status === 'done');
    const windowBackfillPoints = points(s) - beforeWindowBackfill;
    // The replay also reads the comment pages of issues past 20 comments, which a backfill of issues
    // it knows skips (their versions did not change); a backfill from nothing reads them too.
    expect(windowPoints).toBeGreaterThanOrEqual(windowBackfillPoints);
    expect(windowPoints).toBeLessThan((backfillPoints * CHANGED) / ISSUES + 30);
    console.info(
      JSON.stringify({
        windowBackfillPoints,
        backfillPoints,
        sitePoints,
        windowPoints,
        windowIssues: CHANGED,
        replayedMonitoring: replayedMonitoring.size,
        newMonitoringIds: fresh.length,
      }),
    );
  }, 120_000);

  it('stops while the connection is paused, resumes, and ends complete', async () => {
    const s = await startSyncStack({
      sim: { sites: 1, issuesPerSite: 400, latencyMs: 10 },
      kafka: false,
      env: { SYNC_BACKFILL_SLICE_PAGES: '1', JIRA_SEARCH_PAGE_SIZE: '50' },
    });
    const connection = s.connection(0);
    const w = worker(s);
    onTestFinished(() => w.close());
    await s.sync.control.replay(connection.id, { from: 0, to: Date.now(), connectors: ['crm'] });
    await until(async () => ((await s.sync.control.progress(connection.id))?.replay?.done ?? 0) > 0);
    await s.stack.services.connections.setStatus(connection.id, 'paused');
    await new Promise((r) => setTimeout(r, 400));
    const paused = await s.sync.control.progress(connection.id);
    await new Promise((r) => setTimeout(r, 400));
    const still = await s.sync.control.progress(connection.id);
    expect(paused?.replay?.state).toBe('running');
    expect(still?.replay?.done).toBe(paused?.replay?.done);
    expect(still?.replay?.done ?? 0).toBeLessThan(400);
    await s.stack.services.connections.setStatus(connection.id, 'active');
    await until(async () => (await s.sync.control.progress(connection.id))?.replay?.state === 'done');
    expect((await s.sync.control.progress(connection.id))?.replay).toMatchObject({ done: 400, total: 400 });
    const queued = await s.changesQueue.getJobs(['waiting', 'completed', 'active', 'delayed']);
    const replayed = new Set(
      queued
        .map(
          (j) => (j.data as { change: { entity: string; replay?: unknown; issue: { id: string } } }).change,
        )
        .filter((c) => c.entity === 'issue' && c.replay !== undefined)
        .map((c) => c.issue.id),
    );
    expect(replayed.size).toBe(400);
  }, 60_000);
});

import type { Job, Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/metrics/registry.ts';
import { pollSite } from '../../../src/sync/incremental-poll.ts';
import { pollPhase } from '../../../src/sync/sync-scheduler.ts';
import { issueChange } from '../../helpers/changes.ts';
import { startSyncStack } from './sync-stack.ts';

async function finished(queue: Queue, job: Job): Promise<unknown> {
  for (let i = 0; i < 200; i++) {
    const state = await job.getState();
    if (state === 'completed' || state === 'failed') {
      const fresh = await queue.getJob(job.id ?? '');
      return fresh?.returnvalue ?? fresh?.failedReason;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${job.id} did not finish`);
}

const jiraCalls = (stats: { requests: Record<string, number> }) =>
  Object.entries(stats.requests)
    .filter(([route]) => route.includes('/rest/api/3/'))
    .reduce((sum, [, n]) => sum + n, 0);

describe('sync planning, control and metrics', () => {
  it('polls a site whose webhooks went quiet four times as often, within 20% of the budget, and records the interval', async () => {
    const s = await startSyncStack({
      sim: { sites: 2, issuesPerSite: 5 },
      kafka: false,
      env: { JIRA_POINTS_PER_HOUR: '100', SYNC_POLL_MIN_INTERVAL_SECONDS: '60' },
    });
    const [quiet, healthy] = [s.connection(0), s.connection(1)];
    // Polling found a change no webhook delivered on the first site; the second saw only webhooks.
    await s.sync.coverage.sight('poll', [issueChange({ site: { host: quiet.siteHost }, source: 'poll' })]);
    await s.sync.coverage.sight('webhook', [
      issueChange({ site: { host: healthy.siteHost }, source: 'webhook' }),
    ]);
    const plannedAt = Date.now();
    const outcome = await s.sync.planner.plan();
    expect(outcome).toMatchObject({ connections: 2, quiet: 1, rescheduled: 2 });
    // Each poll keeps its own phase in the new interval instead of running at once with all others.
    for (const [connection, every] of [
      [quiet, 225_000],
      [healthy, 900_000],
    ] as const) {
      const scheduler = await s.syncQueue.getJobScheduler(`sync-poll:${connection.id}`);
      expect(scheduler?.offset).toBe(pollPhase(connection.id, every));
      expect((scheduler?.next ?? 0) % every).toBe(pollPhase(connection.id, every));
      expect(scheduler?.next).toBeGreaterThan(plannedAt);
      expect(scheduler?.next).toBeLessThanOrEqual(Date.now() + every);
    }
    // 20 points an hour for polls of 1 point, weights 4 and 1: 4 * 3600 / T + 3600 / 4T = 20 -> 900 s.
    expect((await s.sync.cursors.poll(quiet.id)).intervalMs).toBe(225_000);
    expect((await s.sync.cursors.poll(healthy.id)).intervalMs).toBe(900_000);
    expect((await s.syncQueue.getJobScheduler(`sync-poll:${quiet.id}`))?.every).toBe(225_000);
    expect((await s.sync.control.status(quiet.id))?.reconcileIntervalSeconds).toBe(225);
  });

  it("plans the app pool's polls for what other work left in the last window, decided once per window", async () => {
    const s = await startSyncStack({
      sim: { sites: 2, issuesPerSite: 5 },
      kafka: false,
      env: { JIRA_POINTS_PER_HOUR: '100', SYNC_POLL_MIN_INTERVAL_SECONDS: '60' },
    });
    const [a, b] = [s.connection(0), s.connection(1)];
    const webhookWork = (cost: number) =>
      s.sync.budget.beforeRequest('webhook', {
        site: a.siteHost,
        cloudId: a.cloudId,
        method: 'GET',
        routeClass: 'issue',
        estimatedCost: cost,
      });
    // No last window on record: the share, 20 of 100 points, for two sites of a point a poll: 360 s.
    expect((await s.sync.planner.plan()).pollPoints).toBe(20);
    expect((await s.sync.cursors.poll(a.id)).intervalMs).toBe(360_000);
    await webhookWork(30);
    const hour = 3_600_000;
    s.stack.sim.clock.advance(hour - (s.stack.sim.clock.now() % hour) + 1000);
    // The last window: 30 points of webhook work, and the polls at 360 s cost 2 x 10 = 20 points an hour
    // (the budget counts what was spent; the planner what the intervals in force cost). Of the 80
    // points under the headroom, 80 - (30 - 20) = 70 are the polls'.
    const outcome = await s.sync.planner.plan();
    expect(outcome.pollPoints).toBe(70);
    expect((await s.sync.cursors.poll(b.id)).intervalMs).toBe(Math.round((3600 * 2 * 1000) / 70));
    // The window's other rounds keep that figure, whatever is spent meanwhile.
    await webhookWork(40);
    expect((await s.sync.planner.plan()).pollPoints).toBe(70);
  });

  it('does not sync a paused connection, and stops and resumes a backfill at a slice boundary', async () => {
    const s = await startSyncStack({
      sim: { sites: 1, issuesPerSite: 300 },
      kafka: false,
      env: { SYNC_BACKFILL_SLICE_PAGES: '1' },
    });
    const connection = s.connection(0);
    s.startSyncWorker(1);
    await s.stack.services.connections.setStatus(connection.id, 'paused');
    const before = jiraCalls(s.stack.sim.stats());
    expect(
      await finished(s.syncQueue, await s.syncQueue.add('sync.poll', { connectionId: connection.id })),
    ).toEqual({
      skipped: 'paused',
    });
    expect(jiraCalls(s.stack.sim.stats())).toBe(before);
    await s.stack.services.connections.setStatus(connection.id, 'active');
    await s.sync.control.backfill(connection.id, null);
    expect(await s.sync.control.pauseBackfill(connection.id)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    const paused = await s.sync.cursors.backfill(connection.id);
    expect(paused).toMatchObject({ status: 'paused' });
    expect(paused?.issues ?? 0).toBeLessThan(300);
    expect(await s.sync.control.resumeBackfill(connection.id)).toBe(true);
    for (let i = 0; i < 100 && (await s.sync.cursors.backfill(connection.id))?.status !== 'done'; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    // Every slice starts again at its last issue's `updated`, so a few issues are read twice.
    expect(await s.sync.cursors.backfill(connection.id)).toMatchObject({ status: 'done' });
    const queued = (await s.changesQueue.getJobs(['waiting']))
      .map((j) => (j.data as { change: { entity: string; issue: { id: string } } }).change)
      .filter((c) => c.entity === 'issue');
    expect(new Set(queued.map((c) => c.issue.id)).size).toBe(300);
  });

  it('lets a poll of a site go between two pages of its running backfill', async () => {
    const s = await startSyncStack({ sim: { sites: 1, issuesPerSite: 3000, latencyMs: 20 }, kafka: false });
    const connection = s.connection(0);
    s.startSyncWorker(2);
    await s.sync.control.backfill(connection.id, null);
    for (let i = 0; i < 100 && ((await s.sync.cursors.backfill(connection.id))?.issues ?? 0) === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const poll = await s.syncQueue.add('sync.poll', { connectionId: connection.id });
    expect(await finished(s.syncQueue, poll)).toMatchObject({ changes: expect.any(Number) });
    const backfill = await s.sync.cursors.backfill(connection.id);
    expect(backfill?.status).toBe('running');
    expect(backfill?.issues ?? 0).toBeLessThan(3000);
  });

  it('reports cursor, lag, points and coverage to operators and as metrics', async () => {
    const s = await startSyncStack({ sim: { sites: 1, issuesPerSite: 20 }, kafka: false });
    const connection = s.connection(0);
    await s.sync.cursors.rewind(connection.id, 0);
    await pollSite(s.workerDeps.clientFor(connection, 'poll'), s.workerDeps.pass);
    const status = await s.sync.control.status(connection.id);
    expect(status?.cursor).toBeInstanceOf(Date);
    expect(status?.lagMs).toBeGreaterThanOrEqual(0);
    expect(status?.budgetPointsUsed).toBeGreaterThan(20);
    expect(status?.webhookCoverage).toBe(0);
    const metrics = createMetrics({ syncState: () => s.sync.metricsSnapshot() });
    const text = await metrics.registry.metrics();
    const value = (line: string) =>
      Number(
        text
          .split('\n')
          .find((l) => l.startsWith(line))
          ?.split(' ')
          .pop(),
      );
    expect(value('jira_relay_jira_budget_points{pool="app",state="spent"}')).toBeGreaterThan(20);
    expect(value(`jira_relay_jira_points_window{site="${connection.siteHost}"}`)).toBeGreaterThan(20);
    expect(value(`jira_relay_webhook_poll_only_share{site="${connection.siteHost}"}`)).toBe(1);
    expect(value(`jira_relay_sync_poll_lag_seconds{site="${connection.siteHost}"}`)).toBeGreaterThanOrEqual(
      0,
    );
    expect(value('jira_relay_jira_budget_quota_blocked_seconds{pool="app"}')).toBe(0);
  });
});

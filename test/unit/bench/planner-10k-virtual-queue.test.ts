import { describe, expect, it } from 'vitest';
import { nextEveryMillis } from '../../../bench/planner-10k/bullmq-every.ts';
import { VirtualSyncQueue } from '../../../bench/planner-10k/virtual-queue.ts';

const MIN = 60_000;

/** A queue on a clock the test moves, and a way to run everything due up to a time. */
function queueAt(start: number) {
  let now = start;
  const queue = new VirtualSyncQueue(() => now);
  return {
    queue,
    at(t: number) {
      now = t;
    },
    /** Jobs due before `until`, each started the moment it is due (an idle worker). */
    runUntil(until: number) {
      const started: Array<{ name: string; id: string | null; at: number }> = [];
      for (;;) {
        const due = queue.nextDueAt();
        if (queue.waiting === 0 && (due === undefined || due >= until)) return started;
        if (queue.waiting === 0) {
          now = due as number;
          queue.release(now + 1);
        }
        const taken = queue.take(now);
        if (taken) started.push({ name: taken.job.name, id: taken.job.connectionId, at: taken.at });
      }
    },
  };
}

describe("BullMQ's every arithmetic", () => {
  it('runs a new scheduler at once and keeps that phase', () => {
    expect(nextEveryMillis(null, 10 * MIN, 1_000_123, 0)).toEqual({ next: 1_000_123, offset: 400_123 });
  });

  it('runs the next iteration every interval after the last, catching up to its phase when late', () => {
    expect(nextEveryMillis(0, 10 * MIN, 5 * MIN, 0).next).toBe(10 * MIN);
    // 35 minutes late: the missed iterations are skipped, the next slot of the phase (offset 3 min) is taken.
    expect(nextEveryMillis(3 * MIN, 10 * MIN, 45 * MIN, 3 * MIN).next).toBe(53 * MIN);
  });
});

describe('the virtual sync queue, as the SyncScheduler drives it', () => {
  it('polls a new connection at once, then every interval', async () => {
    const q = queueAt(0);
    await q.queue.upsertJobScheduler(
      'sync-poll:c1',
      { every: 10 * MIN },
      { name: 'sync.poll', data: { connectionId: 'c1' } },
    );
    const runs = q.runUntil(35 * MIN);
    expect(runs.map((r) => r.at)).toEqual([0, 10 * MIN, 20 * MIN, 30 * MIN]);
    expect(runs.every((r) => r.name === 'sync.poll' && r.id === 'c1')).toBe(true);
  });

  it('leaves the timing alone when the interval did not change, and polls at once when it did', async () => {
    const q = queueAt(0);
    const every = (ms: number) =>
      q.queue.upsertJobScheduler(
        'sync-poll:c1',
        { every: ms },
        { name: 'sync.poll', data: { connectionId: 'c1' } },
      );
    await every(10 * MIN);
    q.runUntil(1);
    q.at(4 * MIN);
    await every(10 * MIN);
    expect(q.queue.nextDueAt()).toBe(10 * MIN);
    await every(40 * MIN);
    expect(q.queue.waiting).toBe(1);
    const runs = q.runUntil(90 * MIN);
    expect(runs.map((r) => r.at)).toEqual([4 * MIN, 44 * MIN, 84 * MIN]);
  });

  it('makes a job that waited in line past its next slot skip to the slot after, not run twice', async () => {
    const q = queueAt(0);
    await q.queue.upsertJobScheduler(
      'sync-poll:c1',
      { every: MIN },
      { name: 'sync.poll', data: { connectionId: 'c1' } },
    );
    q.at(150_000);
    q.queue.release(150_001);
    expect(q.queue.take(150_000)?.at).toBe(150_000);
    expect(q.queue.nextDueAt()).toBe(180_000);
  });

  it('keeps one pending one-off job per deduplication id, and delays a postponed one', async () => {
    const q = queueAt(0);
    const first = await q.queue.add(
      'sync.backfill',
      { connectionId: 'c1' },
      { deduplication: { id: 'b-c1' } },
    );
    const again = await q.queue.add(
      'sync.backfill',
      { connectionId: 'c1' },
      { deduplication: { id: 'b-c1' } },
    );
    expect(again.id).toBe(first.id);
    await q.queue.add('sync.poll', { connectionId: 'c2' }, { delay: 5000 });
    expect(q.runUntil(10_000).map((r) => [r.name, r.at])).toEqual([
      ['sync.backfill', 0],
      ['sync.poll', 5000],
    ]);
  });

  it('forgets a removed scheduler, and spreads phases over an interval', async () => {
    const q = queueAt(0);
    const template = (id: string) => ({ name: 'sync.reconcile', data: { connectionId: id } });
    await q.queue.upsertJobScheduler('r1', { every: 100 * MIN }, template('c1'));
    await q.queue.upsertJobScheduler('r2', { every: 100 * MIN }, template('c2'));
    await q.queue.removeJobScheduler('r1');
    const draws = [0.25];
    q.queue.spreadPhases('sync.reconcile', 0, () => draws.shift() ?? 0);
    const runs = q.runUntil(300 * MIN);
    expect(runs.map((r) => [r.id, r.at])).toEqual([
      ['c2', 25 * MIN],
      ['c2', 125 * MIN],
      ['c2', 225 * MIN],
    ]);
  });
});

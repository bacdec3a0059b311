import { describe, expect, it } from 'vitest';
import type { ReadEvent } from '../../helpers/kafka-reader.ts';
import { startSyncStack } from './sync-stack.ts';

const TICKET = 'dev.jirarelay.crm.ticket.upserted';
const SITES = 3;
const ISSUES = 5000;
const CHANGED_PER_SITE = 100;

/** Distinct ce_ids and versions (ce_time) of the CRM ticket events, per Kafka key (site:issue). */
function tickets(events: readonly ReadEvent[]) {
  const out = new Map<string, { ids: Set<string>; versions: Set<number> }>();
  for (const e of events) {
    if (e.headers.ce_type !== TICKET) continue;
    const entry = out.get(e.key) ?? { ids: new Set(), versions: new Set() };
    entry.ids.add(e.headers.ce_id ?? '');
    entry.versions.add(Date.parse(e.headers.ce_time ?? ''));
    out.set(e.key, entry);
  }
  return out;
}

describe('backfill at scale', () => {
  it('publishes every issue of 3 sites x 5,000, the final version of 300 issues changed meanwhile, and each version under one ce_id', async () => {
    const s = await startSyncStack({
      sim: { sites: SITES, issuesPerSite: ISSUES },
      env: { SYNC_POLL_MIN_INTERVAL_SECONDS: '1', SYNC_BACKFILL_SLICE_PAGES: '5' },
    });
    const reader = s.reader;
    if (!reader) throw new Error('no reader');
    const started = Date.now();
    await s.sync.scheduler.connected(s.connections.map((c) => c.id));
    s.startSyncWorker(SITES);
    // 300 distinct issues change while the backfill runs, in rounds, some of them twice.
    const final = new Map<string, number>();
    for (let round = 0; round < 5; round++) {
      await new Promise((r) => setTimeout(r, 400));
      for (const [index, site] of s.stack.sim.sites.entries()) {
        for (let n = 0; n < CHANGED_PER_SITE / 4; n++) {
          const id = String(10_000 + (((round % 4) * 1000 + n * 37 + index) % ISSUES));
          const updated = s.stack.sim.updateIssue(site.cloudId, id, {
            fields: { summary: `round ${round}` },
          });
          final.set(`${site.host}:${id}`, updated.updated);
        }
      }
    }
    expect(final.size).toBe(SITES * CHANGED_PER_SITE);
    const expectedKeys = s.stack.sim.sites.flatMap((site) =>
      Array.from({ length: ISSUES }, (_, i) => `${site.host}:${10_000 + i}`),
    );
    const events = await reader.waitFor((all) => {
      const seen = tickets(all);
      return (
        expectedKeys.every((key) => seen.has(key)) &&
        [...final].every(([key, version]) => seen.get(key)?.versions.has(version))
      );
    }, 150_000);
    const seen = tickets(events);
    expect(seen.size).toBe(SITES * ISSUES);
    for (const [key, { ids, versions }] of seen) {
      // The same version reached twice (backfill, poll, retries) carries the same ce_id.
      expect(ids.size, key).toBe(versions.size);
    }
    // Each backfill then reaches the end of its scan and says so.
    for (const index of s.stack.sim.sites.keys()) {
      const id = s.connection(index).id;
      for (let i = 0; i < 100 && (await s.sync.cursors.backfill(id))?.status !== 'done'; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await s.sync.cursors.backfill(id))?.status).toBe('done');
    }
    console.log(`3 x 5,000 issues to Kafka in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 180_000);
});

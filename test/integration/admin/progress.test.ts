import { describe, expect, it } from 'vitest';
import { startAdminStack } from './admin-stack.ts';

interface Figures {
  state: string;
  done: number;
  total: number | null;
  ratePerSecond: number | null;
  etaSeconds: number | null;
}

describe('sync progress in the admin API', () => {
  it('reports a backfill’s issues done, estimated total, rate and ETA as it pages, ending at the total', async () => {
    const stack = await startAdminStack({
      sim: { sites: 1, issuesPerSite: 600, latencyMs: 20 },
      env: { SYNC_BACKFILL_SLICE_PAGES: '1', JIRA_SEARCH_PAGE_SIZE: '50' },
    });
    const [connection] = await stack.connect();
    const id = connection?.id ?? '';
    const before = await stack.api('GET', `/admin/api/connections/${id}/progress`);
    expect(before.status).toBe(200);
    expect(before.json.progress).toEqual({ backfill: null, reconcile: null, replay: null });
    expect((await stack.api('POST', `/admin/api/connections/${id}/backfill`, {})).status).toBe(202);
    stack.startSyncWorker();
    const seen: Figures[] = [];
    for (let i = 0; i < 400; i++) {
      const res = await stack.api('GET', `/admin/api/connections/${id}/progress`);
      const backfill = (res.json.progress as { backfill: Figures | null }).backfill;
      if (backfill) seen.push(backfill);
      if (backfill?.state === 'done') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const running = seen.filter((f) => f.state === 'running' && f.done > 0);
    expect(running.length).toBeGreaterThan(1);
    // The estimate is Jira's approximate count; the figures move up towards it.
    expect(running[0]?.total).toBe(600);
    expect(new Set(running.map((f) => f.done)).size).toBeGreaterThan(1);
    for (let i = 1; i < running.length; i++) {
      expect(running[i]?.done ?? 0).toBeGreaterThanOrEqual(running[i - 1]?.done ?? 0);
    }
    expect(running.every((f) => (f.ratePerSecond ?? 0) > 0 && f.etaSeconds !== null)).toBe(true);
    expect(seen.at(-1)).toMatchObject({ state: 'done', done: 600, total: 600, etaSeconds: 0 });
    // The same figures in the connection view.
    const view = await stack.api('GET', `/admin/api/connections/${id}`);
    expect((view.json.sync as { progress: { backfill: Figures } }).progress.backfill).toMatchObject({
      state: 'done',
      done: 600,
    });
  }, 60_000);

  it('accepts a replay of a window and refuses a bad body, an unknown connection and a paused one', async () => {
    const stack = await startAdminStack({ sim: { sites: 1, issuesPerSite: 5 } });
    const [connection] = await stack.connect();
    const id = connection?.id ?? '';
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const ok = await stack.api('POST', `/admin/api/connections/${id}/replay`, { from, connectors: ['crm'] });
    expect(ok.status).toBe(202);
    expect(ok.json).toMatchObject({ connectionId: id, action: 'replay', jobId: expect.any(String) });
    const bad = await stack.api('POST', `/admin/api/connections/${id}/replay`, {
      from,
      to: new Date(Date.now() - 7_200_000).toISOString(),
      connectors: ['nope'],
    });
    expect(bad.status).toBe(400);
    expect(bad.json.fields).toEqual(expect.arrayContaining(['body.connectors.0']));
    const backwards = await stack.api('POST', `/admin/api/connections/${id}/replay`, {
      from,
      to: new Date(Date.now() - 7_200_000).toISOString(),
    });
    expect(backwards.json.fields).toEqual(['body.to']);
    expect((await stack.api('POST', `/admin/api/connections/${id}/replay`, {})).json.fields).toEqual([
      'body.from',
    ]);
    expect(
      (await stack.api('POST', `/admin/api/connections/${id}/replay`, { from, connectors: [] })).status,
    ).toBe(400);
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await stack.api('POST', `/admin/api/connections/${unknown}/replay`, { from })).status).toBe(404);
    expect((await stack.api('GET', `/admin/api/connections/${unknown}/progress`)).status).toBe(404);
    expect((await stack.api('POST', `/admin/api/connections/${id}/replay/cancel`)).json).toEqual({
      connectionId: id,
      cancelled: true,
    });
    await stack.api('POST', `/admin/api/connections/${id}/pause`);
    expect((await stack.api('POST', `/admin/api/connections/${id}/replay`, { from })).status).toBe(409);
  });
});

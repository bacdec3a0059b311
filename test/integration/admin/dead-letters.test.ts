import { describe, expect, it } from 'vitest';
import { failedJob, startAdminStack, startWorker, until } from './admin-stack.ts';

describe('admin API: dead letters', () => {
  it('lists failed jobs of every queue, newest failure first, paged and filtered by queue', async () => {
    const stack = await startAdminStack();
    for (const queue of [stack.queues.events, stack.queues.changes, stack.queues.maintenance])
      startWorker(stack, queue, () => true);
    const a = await failedJob(stack.queues.events, 'deliveries', { n: 'a' });
    const b = await failedJob(stack.queues.changes, 'issue.updated', { n: 'b' });
    const c = await failedJob(stack.queues.maintenance, 'webhooks.reconcile', { n: 'c' });

    const all = await stack.api('GET', '/admin/api/dead-letters');
    expect(all.status).toBe(200);
    expect(all.json).toMatchObject({ total: 3, page: 1, pageSize: 20 });
    const items = all.json.items as Record<string, unknown>[];
    expect(items.map((i) => [i.queue, i.id])).toEqual([
      ['maintenance', c.id],
      ['jira-changes', b.id],
      ['jira-events', a.id],
    ]);
    expect(items[1]).toMatchObject({
      name: 'issue.updated',
      failedReason: 'issue.updated cannot be processed',
      attemptsMade: 1,
      maxAttempts: 3,
      data: { n: 'b' },
    });
    for (const field of ['createdAt', 'processedAt', 'failedAt'])
      expect(Number.isNaN(Date.parse(String(items[1]?.[field])))).toBe(false);

    const page2 = await stack.api('GET', '/admin/api/dead-letters?page=2&pageSize=2');
    expect((page2.json.items as { id: string }[]).map((i) => i.id)).toEqual([a.id]);
    const changes = await stack.api('GET', '/admin/api/dead-letters?queue=jira-changes');
    expect(changes.json.total).toBe(1);
    expect((changes.json.items as { id: string }[]).map((i) => i.id)).toEqual([b.id]);

    const unknown = await stack.api('GET', '/admin/api/dead-letters?queue=nope');
    expect(unknown.status).toBe(400);
    expect(unknown.json.fields).toEqual(['query.queue']);
    expect((await stack.api('GET', '/admin/api/dead-letters?pageSize=500')).json.fields).toEqual([
      'query.pageSize',
    ]);
  });

  it('re-drives one failed job: it really runs again, with its attempts reset, and completes', async () => {
    const stack = await startAdminStack();
    const runs = new Map<string, number>();
    startWorker(stack, stack.queues.changes, (job) => {
      const n = (runs.get(String(job.id)) ?? 0) + 1;
      runs.set(String(job.id), n);
      return n === 1; // the first run fails for good; a re-drive succeeds
    });
    const job = await failedJob(stack.queues.changes, 'issue.updated', { n: 1 });

    const response = await stack.api('POST', `/admin/api/dead-letters/jira-changes/${job.id}/redrive`);
    expect(response).toMatchObject({
      status: 202,
      json: { queue: 'jira-changes', id: job.id, redriven: true },
    });
    await until('the re-driven job to complete', async () => (await job.getState()) === 'completed');
    const done = await stack.queues.changes.getJob(String(job.id));
    expect(runs.get(String(job.id))).toBe(2);
    expect(done?.returnvalue).toEqual({ done: { n: 1 } });
    expect(done?.attemptsMade).toBe(1);
    expect((await stack.api('GET', '/admin/api/dead-letters')).json.total).toBe(0);

    const again = await stack.api('POST', `/admin/api/dead-letters/jira-changes/${job.id}/redrive`);
    expect(again.status).toBe(409);
    expect(again.json.message).toContain('completed');
    expect((await stack.api('POST', '/admin/api/dead-letters/jira-changes/no-such-job/redrive')).status).toBe(
      404,
    );
    expect((await stack.api('POST', `/admin/api/dead-letters/nope/${job.id}/redrive`)).status).toBe(404);
  });

  it('re-drives all failed jobs up to a limit, oldest first; bad input names the field', async () => {
    const stack = await startAdminStack();
    let failing = true;
    startWorker(stack, stack.queues.events, () => failing);
    startWorker(stack, stack.queues.changes, () => failing);
    const first = await failedJob(stack.queues.events, 'deliveries', { n: 1 });
    await failedJob(stack.queues.changes, 'issue.updated', { n: 2 });
    await failedJob(stack.queues.changes, 'issue.updated', { n: 3 });
    failing = false;

    const one = await stack.api('POST', '/admin/api/dead-letters/redrive', {
      queue: 'jira-events',
      limit: 1,
    });
    expect(one).toMatchObject({ status: 200, json: { redriven: 1, skipped: 0, remaining: 0 } });
    await until('the first to complete', async () => (await first.getState()) === 'completed');

    const rest = await stack.api('POST', '/admin/api/dead-letters/redrive', {});
    expect(rest).toMatchObject({ status: 200, json: { redriven: 2, skipped: 0 } });
    await until('every job to complete', async () => (await stack.queues.changes.getCompletedCount()) === 2);
    expect((await stack.api('GET', '/admin/api/dead-letters')).json.total).toBe(0);

    for (const [body, field] of [
      [{ queue: 'nope' }, 'body.queue'],
      [{ limit: 0 }, 'body.limit'],
      [{ limit: 'all' }, 'body.limit'],
      [{ everything: true }, 'body.everything'],
    ] as const) {
      const bad = await stack.api('POST', '/admin/api/dead-letters/redrive', body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.json.fields, JSON.stringify(body)).toEqual([field]);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { maintenanceJobs } from '../../../src/queues/maintenance-jobs.ts';
import { syncJobs } from '../../../src/sync/sync-jobs.ts';
import { issueChange, issueSnapshot } from '../../helpers/changes.ts';
import { startAdminStack, until, waitingJobs } from './admin-stack.ts';

const unknownId = '00000000-0000-4000-8000-000000000000';

/** The value of the sample `series` (name and labels, as printed) in Prometheus text; undefined if absent. */
function sampleValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('admin API: connections', () => {
  it('lists every site with status, accounts, webhook registration, and no sync state before any sync ran', async () => {
    const stack = await startAdminStack();
    const [first, second] = await stack.connect();
    if (!first || !second) throw new Error('two sites expected');
    const registered = await stack.registrar.reconcile(first.id);
    expect(registered.kind).toBe('registered');

    const { status, json } = await stack.api('GET', '/admin/api/connections');
    expect(status).toBe(200);
    expect(json).toMatchObject({ total: 2, page: 1, pageSize: 50 });
    const [one, two] = json.connections as Record<string, unknown>[];
    const site = stack.tokens.sim.sites.find((s) => s.cloudId === first.cloudId);
    expect(one).toMatchObject({
      id: first.id,
      site: { host: site?.host, url: site?.url, name: site?.name, cloudId: site?.cloudId },
      status: 'active',
      accountIds: first.accountIds,
      projectKeys: null,
      // Never polled, nothing seen by either path, nothing spent: what the real sync state says.
      sync: {
        cursor: null,
        lagSeconds: null,
        budgetPointsUsed: 0,
        webhookCoverage: null,
        reconcileIntervalSeconds: null,
      },
    });
    const registration = await stack.registrations.get(first.id);
    expect(one?.webhooks).toEqual({
      ids: registration?.webhookIds,
      jqlFilter: registration?.jqlFilter,
      expiresAt: new Date(registration?.expiresAt ?? 0).toISOString(),
      refreshedAt: new Date(registration?.refreshedAt ?? 0).toISOString(),
    });
    expect(registration?.expiresAt).toBeGreaterThan(Date.now());
    expect(two).toMatchObject({ id: second.id, webhooks: null });
  });

  it('filters by status (reauth_required included) and pages; bad paging or status is a 400 naming the field', async () => {
    const stack = await startAdminStack({ sim: { sites: 3 } });
    const connections = await stack.connect();
    await stack.tokens.services.connections.setStatus(connections[1]?.id ?? '', 'reauth_required');

    const reauth = await stack.api('GET', '/admin/api/connections?status=reauth_required');
    expect(reauth.json.total).toBe(1);
    expect((reauth.json.connections as { id: string; status: string }[])[0]).toMatchObject({
      id: connections[1]?.id,
      status: 'reauth_required',
    });
    const page2 = await stack.api('GET', '/admin/api/connections?page=2&pageSize=2');
    expect(page2.json).toMatchObject({ total: 3, page: 2, pageSize: 2 });
    expect((page2.json.connections as { id: string }[]).map((c) => c.id)).toEqual([connections[2]?.id]);

    for (const [query, field] of [
      ['page=0', 'query.page'],
      ['pageSize=1000', 'query.pageSize'],
      ['page=abc', 'query.page'],
      ['status=sleeping', 'query.status'],
    ] as const) {
      const bad = await stack.api('GET', `/admin/api/connections?${query}`);
      expect(bad.status, query).toBe(400);
      expect(bad.json.fields, query).toEqual([field]);
      expect(String(bad.json.message), query).toContain(field);
    }
  });

  it('shows one connection; an unknown id is 404, a malformed one 400', async () => {
    const stack = await startAdminStack();
    const [first] = await stack.connect();
    expect((await stack.api('GET', `/admin/api/connections/${first?.id}`)).json).toMatchObject({
      id: first?.id,
    });
    expect((await stack.api('GET', `/admin/api/connections/${unknownId}`)).status).toBe(404);
    const bad = await stack.api('GET', '/admin/api/connections/not-an-id');
    expect(bad.status).toBe(400);
    expect(bad.json.fields).toEqual(['params.id']);
  });

  it('shows the sync state a resync left (cursor, lag, points used, webhook coverage) in the API and /metrics', async () => {
    // No overlap: the first poll reads exactly what changed since the connection was made.
    const stack = await startAdminStack({ env: { SYNC_POLL_OVERLAP_MS: '0' } });
    const [first] = await stack.connect();
    if (!first) throw new Error('a site expected');
    const site = { host: first.siteHost, cloudId: first.cloudId };
    // A webhook delivered one change first (as the events worker records it) ...
    await stack.sync.coverage.sight('webhook', [
      issueChange({ site, issue: issueSnapshot({ id: '999001' }), source: 'webhook' }),
    ]);
    // ... and polling will find one that no webhook delivered.
    const created = stack.tokens.sim.createIssue(first.cloudId, { fields: { summary: 'Found by polling' } });
    stack.startSyncWorker();

    const resync = await stack.api('POST', `/admin/api/connections/${first.id}/resync`);
    expect(resync.status).toBe(202);
    const job = await stack.queues.sync.getJob(String(resync.json.jobId));
    if (!job) throw new Error('resync queued no job');
    await until('the poll to complete', async () => (await job.getState()) === 'completed');
    const outcome = (await stack.queues.sync.getJob(String(job.id)))?.returnvalue as {
      changes: number;
      cursor: number;
    };
    expect(outcome.changes).toBe(1);

    const { json } = await stack.api('GET', '/admin/api/connections');
    const listed = (json.connections as { id: string; sync: Record<string, unknown> }[]).find(
      (c) => c.id === first.id,
    );
    const spent = (await stack.sync.budget.snapshot(first.siteHost)).spentBySite[first.siteHost];
    expect(spent).toBeGreaterThan(0);
    expect(listed?.sync).toEqual({
      cursor: new Date(outcome.cursor).toISOString(),
      lagSeconds: expect.any(Number),
      budgetPointsUsed: spent,
      webhookCoverage: 0.5,
      reconcileIntervalSeconds: null,
      // A poll is not a long pass: no backfill, reconcile or replay ran.
      progress: { backfill: null, reconcile: null, replay: null },
    });
    expect(listed?.sync.lagSeconds).toBeGreaterThanOrEqual(0);
    expect(Date.parse(String(listed?.sync.cursor))).toBeGreaterThanOrEqual(first.createdAt);

    // The polled change's webhook comes after all: every change of the site arrived by webhook,
    // one of them after polling had found it.
    await stack.sync.coverage.sight('webhook', [
      issueChange({
        site,
        issue: issueSnapshot({ id: created.id }),
        version: outcome.cursor,
        source: 'webhook',
      }),
    ]);
    const metrics = (await stack.app.inject({ method: 'GET', url: '/metrics' })).body;
    const sample = (family: string) => sampleValue(metrics, `${family}{site="${first.siteHost}"}`);
    expect(sample('jira_relay_webhook_coverage')).toBe(1);
    expect(sample('jira_relay_webhook_poll_only_share')).toBe(0);
    expect(sample('jira_relay_jira_points_spent')).toBe(spent);
    expect(sample('jira_relay_jira_points_window')).toBe(spent);
  });

  it('resyncs, backfills from a date and rewinds the cursor through the sync services', async () => {
    const stack = await startAdminStack();
    const [first] = await stack.connect();
    const id = first?.id ?? '';

    const resync = await stack.api('POST', `/admin/api/connections/${id}/resync`);
    expect(resync.status).toBe(202);
    expect(resync.json).toMatchObject({ connectionId: id, action: 'resync' });
    const polls = await waitingJobs(stack.queues.sync, syncJobs.poll);
    expect(polls.map((j) => [j.id, j.data])).toEqual([[resync.json.jobId, { connectionId: id }]]);

    const backfill = await stack.api('POST', `/admin/api/connections/${id}/backfill`, { from: '2024-01-31' });
    expect(backfill.status).toBe(202);
    expect(await stack.sync.cursors.backfill(id)).toMatchObject({
      status: 'running',
      generation: 1,
      from: Date.parse('2024-01-31T00:00:00Z'),
      after: null,
    });
    const backfills = await waitingJobs(stack.queues.sync, syncJobs.backfill);
    expect(backfills.map((j) => [j.id, j.data])).toEqual([[backfill.json.jobId, { connectionId: id }]]);
    // A full backfill supersedes it; the queued slice job carries on from the new checkpoint.
    expect((await stack.api('POST', `/admin/api/connections/${id}/backfill`)).status).toBe(202);
    expect(await stack.sync.cursors.backfill(id)).toMatchObject({ generation: 2, from: null });
    expect(await waitingJobs(stack.queues.sync, syncJobs.backfill)).toHaveLength(1);

    await stack.sync.cursors.advance(id, Date.parse('2024-09-01T00:00:00Z'));
    const rewind = await stack.api('POST', `/admin/api/connections/${id}/rewind`, {
      to: '2024-06-01T12:00:00+02:00',
    });
    expect(rewind.status).toBe(202);
    expect((await stack.sync.cursors.poll(id)).cursor).toBe(Date.parse('2024-06-01T10:00:00Z'));
    const shown = await stack.api('GET', `/admin/api/connections/${id}`);
    expect((shown.json.sync as { cursor: string }).cursor).toBe('2024-06-01T10:00:00.000Z');
    const pollIds = (await waitingJobs(stack.queues.sync, syncJobs.poll)).map((j) => j.id);
    expect(pollIds).toHaveLength(2);
    expect(pollIds).toContain(rewind.json.jobId);
  });

  it('answers bad sync input with a 400 naming the field, unknown ids with 404, and a paused site with 409', async () => {
    const stack = await startAdminStack();
    const [first] = await stack.connect();
    const id = first?.id ?? '';
    const cases: [string, unknown, string][] = [
      ['backfill', { from: '31/01/2024' }, 'body.from'],
      ['backfill', { from: '2999-01-01' }, 'body.from'],
      ['backfill', { form: '2024-01-01' }, 'body.form'],
      ['rewind', {}, 'body.to'],
      ['rewind', { to: 12345 }, 'body.to'],
      ['rewind', ['2024-01-01'], 'body'],
    ];
    for (const [action, body, field] of cases) {
      const response = await stack.api('POST', `/admin/api/connections/${id}/${action}`, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.json.fields, JSON.stringify(body)).toEqual([field]);
    }
    expect((await stack.api('POST', `/admin/api/connections/${unknownId}/resync`)).status).toBe(404);
    expect(
      (await stack.api('POST', `/admin/api/connections/${unknownId}/backfill`, { from: null })).status,
    ).toBe(404);

    await stack.api('POST', `/admin/api/connections/${id}/pause`);
    const paused = await stack.api('POST', `/admin/api/connections/${id}/resync`);
    expect(paused.status).toBe(409);
    expect(paused.json.message).toContain('paused');
    expect(await stack.queues.sync.count()).toBe(0);
  });

  it('answers a body that is not JSON with a 400 naming the body, like every other bad input', async () => {
    const stack = await startAdminStack();
    const [first] = await stack.connect();
    const post = (payload: string, contentType: string) =>
      stack.app.inject({
        method: 'POST',
        url: `/admin/api/connections/${first?.id}/rewind`,
        headers: { authorization: `Bearer ${stack.deps.adminToken}`, 'content-type': contentType },
        payload,
      });
    for (const payload of ['{"to": "2024-01-01"', '']) {
      const response = await post(payload, 'application/json');
      expect(response.statusCode, payload).toBe(400);
      expect(response.json(), payload).toEqual({
        error: 'BAD_REQUEST',
        message: expect.stringMatching(/^body: /),
        fields: ['body'],
      });
    }
    // Other request errors keep the app's answer, and nothing was asked of the sync side.
    expect((await post('to=2024-01-01', 'text/csv')).statusCode).toBe(415);
    expect(await stack.queues.sync.count()).toBe(0);
  });

  it('pauses and resumes; resuming queues a poll and a webhook check; a site needing consent cannot be resumed', async () => {
    const stack = await startAdminStack();
    const [first, second] = await stack.connect();
    const id = first?.id ?? '';

    const paused = await stack.api('POST', `/admin/api/connections/${id}/pause`);
    expect(paused).toMatchObject({ status: 200, json: { id, status: 'paused' } });
    expect((await stack.tokens.services.connections.get(id))?.status).toBe('paused');
    expect((await stack.api('POST', `/admin/api/connections/${id}/pause`)).status).toBe(200);

    const resumed = await stack.api('POST', `/admin/api/connections/${id}/resume`);
    expect(resumed).toMatchObject({ status: 200, json: { id, status: 'active' } });
    const checks = await waitingJobs(stack.queues.maintenance, maintenanceJobs.reconcileWebhooks);
    expect(checks.map((j) => j.data)).toEqual([{ connectionId: id }]);
    const polls = await waitingJobs(stack.queues.sync, syncJobs.poll);
    expect(polls.map((j) => j.data)).toEqual([{ connectionId: id }]);

    await stack.tokens.services.connections.setStatus(second?.id ?? '', 'reauth_required');
    const refused = await stack.api('POST', `/admin/api/connections/${second?.id}/resume`);
    expect(refused.status).toBe(409);
    expect(refused.json.message).toContain('/oauth/start');
    expect((await stack.api('POST', `/admin/api/connections/${unknownId}/pause`)).status).toBe(404);
    expect((await stack.api('POST', `/admin/api/connections/${unknownId}/resume`)).status).toBe(404);
    expect((await stack.api('POST', '/admin/api/connections/x/pause')).json.fields).toEqual(['params.id']);
  });

  it('sets the projects to sync and queues the webhook filter update; bad keys name the item', async () => {
    const stack = await startAdminStack();
    const [first] = await stack.connect();
    const id = first?.id ?? '';

    const set = await stack.api('PUT', `/admin/api/connections/${id}/projects`, {
      projectKeys: ['OPS', 'SUP'],
    });
    expect(set).toMatchObject({ status: 200, json: { projectKeys: ['OPS', 'SUP'] } });
    expect((await stack.tokens.services.connections.get(id))?.projectKeys).toEqual(['OPS', 'SUP']);
    expect(await waitingJobs(stack.queues.maintenance, maintenanceJobs.reconcileWebhooks)).toHaveLength(1);
    const all = await stack.api('PUT', `/admin/api/connections/${id}/projects`, { projectKeys: null });
    expect(all.json.projectKeys).toBeNull();

    const bad = await stack.api('PUT', `/admin/api/connections/${id}/projects`, {
      projectKeys: ['OPS', 'not a key'],
    });
    expect(bad.status).toBe(400);
    expect(bad.json.fields).toEqual(['body.projectKeys.1']);
    expect((await stack.api('PUT', `/admin/api/connections/${id}/projects`, {})).json.fields).toEqual([
      'body.projectKeys',
    ]);
    expect(
      (await stack.api('PUT', `/admin/api/connections/${unknownId}/projects`, { projectKeys: null })).status,
    ).toBe(404);
  });

  it('disconnects: the webhook is deleted at Jira, the registration forgotten, the site disconnected', async () => {
    const stack = await startAdminStack();
    const [first] = await stack.connect();
    const id = first?.id ?? '';
    await stack.registrar.reconcile(id);
    const webhooksAt = () =>
      stack.tokens.sim.control.state().sites.find((s) => s.cloudId === first?.cloudId)?.webhooks;
    expect(webhooksAt()).toBe(1);

    const response = await stack.api('POST', `/admin/api/connections/${id}/disconnect`);
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      connection: { id, status: 'disconnected', webhooks: null },
      webhooksUnregistered: true,
      error: null,
    });
    expect(webhooksAt()).toBe(0);
    expect(await stack.registrations.get(id)).toBeNull();
    expect((await stack.tokens.services.connections.get(id))?.status).toBe('disconnected');
    expect((await stack.api('POST', `/admin/api/connections/${id}/resume`)).status).toBe(409);
    expect((await stack.api('POST', `/admin/api/connections/${unknownId}/disconnect`)).status).toBe(404);
  });

  it('still disconnects when Jira cannot be told (grant revoked), says so, and stays disconnected', async () => {
    const stack = await startAdminStack();
    const [first] = await stack.connect();
    const id = first?.id ?? '';
    await stack.registrar.reconcile(id);
    stack.tokens.sim.revokeGrant(first?.accountIds[0] ?? '');
    stack.tokens.sim.expireAccessTokens();

    const response = await stack.api('POST', `/admin/api/connections/${id}/disconnect`);
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      webhooksUnregistered: false,
      connection: { status: 'disconnected' },
    });
    expect(String(response.json.error)).toMatch(/REAUTH_REQUIRED/);
    expect((await stack.tokens.services.connections.get(id))?.status).toBe('disconnected');
  });
});

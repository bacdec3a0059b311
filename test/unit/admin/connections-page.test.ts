import { describe, expect, it } from 'vitest';
import type { ConnectionView } from '../../../src/admin/connection-view.ts';
import { renderConnectionsPage, type SiteHealth } from '../../../src/admin/connections-page.ts';
import {
  leverBar,
  renderConfirmPage,
  renderShownOncePage,
} from '../../../src/admin/connections-page-levers.ts';

const now = Date.UTC(2030, 0, 1, 12, 0, 0);
const id = '2b1c4f1e-8a7d-4f55-9c51-0d4b2b6f3a10';

function view(overrides: Partial<ConnectionView> = {}): ConnectionView {
  return {
    id,
    site: { host: 'acme.atlassian.net', url: 'https://acme.atlassian.net', name: 'Acme', cloudId: 'c-1' },
    status: 'active',
    accountIds: ['a-1'],
    scopes: [],
    projectKeys: null,
    createdAt: new Date(now - 86_400_000).toISOString(),
    updatedAt: new Date(now).toISOString(),
    webhooks: {
      ids: [1, 2],
      jqlFilter: 'project in (OPS)',
      expiresAt: new Date(now + 20 * 86_400_000).toISOString(),
      refreshedAt: new Date(now).toISOString(),
    },
    sync: {
      cursor: null,
      lagSeconds: 42,
      budgetPointsUsed: 310,
      webhookCoverage: 0.9,
      reconcileIntervalSeconds: 600,
      progress: {
        backfill: {
          state: 'running',
          done: 100,
          total: 400,
          ratePerSecond: 2,
          etaSeconds: 150,
          startedAt: new Date(now - 50_000).toISOString(),
          updatedAt: new Date(now).toISOString(),
          finishedAt: null,
        },
        reconcile: null,
        replay: null,
      },
    },
    ...overrides,
  };
}

function site(overrides: Partial<SiteHealth> = {}): SiteHealth {
  return {
    connection: view(),
    history: [
      { at: now - 120_000, lagSeconds: 30, webhookCoverage: 0.8 },
      { at: now - 60_000, lagSeconds: 60, webhookCoverage: 1 },
      { at: now, lagSeconds: 42, webhookCoverage: 0.9 },
    ],
    pool: { kind: 'app', spent: 1200, limit: 65_000, windowEndsAt: now + 30 * 60_000 },
    secret: { configured: false, rotatedAt: null, previousValidUntil: null },
    ...overrides,
  };
}

describe('the connections page', () => {
  it('shows a site with its status, webhook expiry, lines, points by site and pool, and progress', () => {
    const html = renderConnectionsPage([site()], null, now);
    expect(html).toContain('acme.atlassian.net');
    expect(html).toContain('status-active');
    expect(html).toMatch(/expire [^<]+ \(<strong>in 20 d<\/strong>\)/);
    expect(html.match(/<polyline /g)).toHaveLength(2); // lag and coverage
    expect(html).toContain('42 s');
    expect(html).toContain('30 s–60 s, 3 samples over 2 min');
    expect(html).toContain('90%');
    expect(html).toContain('80%–100%, 3 samples over 2 min');
    expect(html).toContain('site: 310');
    expect(html).toContain('app-wide pool (every site): 1200 of 65000 points');
    expect(html).toContain('25% · 100 of 400 issues');
    expect(html).toMatch(/reconcile<\/span> <span class="muted">not run yet/);
  });

  it("names a per-site pool as the site's own", () => {
    const html = renderConnectionsPage([site({ pool: { ...site().pool, kind: 'site' } })], null, now);
    expect(html).toContain('this site&#39;s own pool: 1200 of 65000 points');
    expect(html).not.toContain('app-wide');
  });

  it('says so where nothing is known yet: no history, no poll, no webhooks, no changes', () => {
    const bare = view({
      webhooks: null,
      sync: {
        ...view().sync,
        lagSeconds: null,
        webhookCoverage: null,
        budgetPointsUsed: null,
        progress: null,
      },
    });
    const html = renderConnectionsPage([site({ connection: bare, history: [] })], null, now);
    expect(html).toContain('not polled yet');
    expect(html).toContain('no changes seen');
    expect(html).toContain('none registered');
    expect(html.match(/no samples yet/g)).toHaveLength(2);
    expect(html).not.toContain('<polyline');
    expect(html).toContain('site: 0');
  });

  it('says when there is no connection at all', () => {
    expect(renderConnectionsPage([], null, now)).toContain('No connected site yet.');
  });

  it('escapes everything that comes from Jira or the operator', () => {
    const evil = '<img src=x onerror=alert(1)>';
    const hostile = view({ site: { ...view().site, host: `${evil}.example`, name: `"${evil}` } });
    const html = renderConnectionsPage(
      [site({ connection: hostile })],
      { kind: 'error', text: `refused: ${evil}` },
      now,
    );
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('<p class="flash error" role="alert">refused: &lt;img');
  });

  it('offers the levers the status allows, each leading to its confirmation step', () => {
    const active = leverBar({ id, host: 'a', status: 'active' });
    expect(active).toContain(`href="/admin/connections/${id}/confirm/pause"`);
    expect(active).not.toContain('confirm/resume');
    expect(active).toContain(`action="/admin/connections/${id}/confirm/backfill"`);
    expect(active).toMatch(/confirm\/replay"><input type="date" name="from"[^>]*required>/);
    const paused = leverBar({ id, host: 'a', status: 'paused' });
    expect(paused).toContain('confirm/resume');
    expect(paused).not.toContain('confirm/pause');
    expect(paused).not.toContain('confirm/resync');
    expect(leverBar({ id, host: 'a', status: 'disconnected' })).toBe('<div class="levers"></div>');
    // No lever acts on a GET: every one goes through the confirmation step.
    expect(active).not.toMatch(/method="post"/);
  });
});

describe('the confirmation step and the shown-once page', () => {
  it('posts the lever, with its date, to the act', () => {
    const html = renderConfirmPage(
      { id, host: 'acme.atlassian.net', status: 'active' },
      'backfill',
      '2024-02-01',
    );
    expect(html).toContain(`<form method="post" action="/admin/connections/${id}/backfill">`);
    expect(html).toContain('<input type="hidden" name="from" value="2024-02-01">');
    expect(html).toContain('Confirm backfill');
    expect(renderConfirmPage({ id, host: 'h', status: 'active' }, 'backfill', '')).toContain('the beginning');
    expect(renderConfirmPage({ id, host: 'h', status: 'active' }, 'pause', 'x')).not.toContain('name="from"');
  });

  it('escapes what the browser sent', () => {
    const html = renderConfirmPage(
      { id, host: 'h', status: 'active' },
      'replay',
      '"><script>alert(1)</script>',
    );
    expect(html).not.toContain('<script>');
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;');
  });

  it('shows a secret once, escaped', () => {
    const html = renderShownOncePage({ title: 'New secret', lines: ['<b>'], value: 's3cr<et' });
    expect(html).toContain('<p class="once" data-once>s3cr&lt;et</p>');
    expect(html).toContain('<p>&lt;b&gt;</p>');
  });
});

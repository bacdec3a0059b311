import { escapeHtml } from '../http/escape-html.ts';
import type { SiteSample } from '../state/site-history.ts';
import type { WebhookSecretInfo } from '../webhooks/webhook-secret-store.ts';
import type { ConnectionView } from './connection-view.ts';
import { leverBar } from './connections-page-levers.ts';
import { duration, type LinePoint, percent, progressBar, sparkline } from './connections-page-parts.ts';
import { type Flash, flashLine, pageShell } from './connections-page-shell.ts';

/** The Jira points pool the site spends from in the current window (the budget's snapshot). */
interface PoolFigures {
  /** `app`: one pool every site shares (JIRA_RATE_POOL=app); `site`: this site's own. */
  readonly kind: 'app' | 'site';
  readonly spent: number;
  readonly limit: number;
  /** Epoch ms. */
  readonly windowEndsAt: number;
}

/** Everything the page shows of one connection. */
export interface SiteHealth {
  /** As the admin API shows it (`GET /admin/api/connections/:id`). */
  readonly connection: ConnectionView;
  /** Oldest first; empty before the sync planner's first round. */
  readonly history: readonly SiteSample[];
  readonly pool: PoolFigures;
  readonly secret: WebhookSecretInfo;
}

/**
 * The connections page: per site, its status and webhook expiry, its poll lag and webhook coverage
 * over the planner's last rounds, the Jira points it and its pool spent, its backfill, reconcile
 * and replay progress, and the levers (each behind a confirmation step). Pure: the route gathers.
 */
export function renderConnectionsPage(
  sites: readonly SiteHealth[],
  flash: Flash | null,
  now: number,
): string {
  const body =
    sites.length === 0
      ? '<p>No connected site yet. <a href="/admin/connect">Connect one</a>.</p>'
      : sites.map((site) => siteSection(site, now)).join('\n');
  return pageShell(
    'connections',
    `<h1>Connections</h1>
${flashLine(flash)}<p class="muted">As of ${escapeHtml(new Date(now).toISOString())} · <a href="/admin/connections">Refresh</a> · <a href="/admin/connect">Connect a site</a></p>
${body}`,
  );
}

function siteSection(site: SiteHealth, now: number): string {
  const c = site.connection;
  const id = `site-${escapeHtml(c.id)}`;
  const { progress } = c.sync;
  const passes = (['backfill', 'reconcile', 'replay'] as const)
    .map((kind) => progressBar(kind, progress?.[kind] ?? null))
    .join('\n');
  return `<section class="site" aria-labelledby="${id}">
<h2 id="${id}">${escapeHtml(c.site.host)} <span class="status status-${escapeHtml(c.status)}">${escapeHtml(c.status)}</span></h2>
<p class="meta">${escapeHtml(c.site.name)} · <span class="muted">connection ${escapeHtml(c.id)}</span><br>${webhookLine(c, now)} · ${secretLine(site.secret)}</p>
<div class="grid">
${lagMetric(site)}
${coverageMetric(site)}
${pointsMetric(site, now)}
</div>
${passes}
${leverBar({ id: c.id, host: c.site.host, status: c.status })}
</section>`;
}

function webhookLine(c: ConnectionView, now: number): string {
  if (c.webhooks === null) return 'Webhooks: <strong>none registered</strong>';
  const expiresAt = Date.parse(c.webhooks.expiresAt);
  const left = expiresAt - now;
  const when = left > 0 ? `in ${duration(left / 1000)}` : `${duration(-left / 1000)} ago`;
  return `Webhooks: ${c.webhooks.ids.length} registered, expire ${escapeHtml(c.webhooks.expiresAt)} (<strong>${when}</strong>)`;
}

function secretLine(secret: WebhookSecretInfo): string {
  if (!secret.configured) return 'Admin-webhook secret: <strong>not set</strong>';
  const rotated = secret.rotatedAt === null ? '' : `, rotated ${new Date(secret.rotatedAt).toISOString()}`;
  const previous =
    secret.previousValidUntil === null
      ? ''
      : `; the previous one is accepted until ${new Date(secret.previousValidUntil).toISOString()}`;
  return `Admin-webhook secret: <strong>set</strong>${rotated}${previous}`;
}

function lagMetric(site: SiteHealth): string {
  const lag = site.connection.sync.lagSeconds;
  const points: LinePoint[] = site.history.map((s) => ({ at: s.at, value: s.lagSeconds }));
  const label = `poll lag over the last ${site.history.length} samples`;
  return `<div class="metric"><h3>Poll lag</h3><strong>${lag === null ? 'not polled yet' : duration(lag)}</strong>${sparkline(points, { label })}${range(site.history, 'lag')}</div>`;
}

function coverageMetric(site: SiteHealth): string {
  const coverage = site.connection.sync.webhookCoverage;
  const points: LinePoint[] = site.history.map((s) => ({ at: s.at, value: s.webhookCoverage }));
  const label = `webhook coverage over the last ${site.history.length} samples`;
  return `<div class="metric"><h3>Webhook coverage</h3><strong>${coverage === null ? 'no changes seen' : percent(coverage)}</strong>${sparkline(points, { label, max: 1 })}${range(site.history, 'coverage')}</div>`;
}

/** What the line covers, so a flat one is read right: "0 s–45 s, 12 samples over 11 min". */
function range(history: readonly SiteSample[], what: 'lag' | 'coverage'): string {
  const values = history.flatMap((s) => {
    const v = what === 'lag' ? s.lagSeconds : s.webhookCoverage;
    return v === null ? [] : [v];
  });
  const first = history[0];
  const last = history.at(-1);
  if (values.length === 0 || !first || !last) return '';
  if (history.length === 1) return '<div class="muted">1 sample</div>';
  const show = what === 'lag' ? duration : percent;
  const lo = show(Math.min(...values));
  const hi = show(Math.max(...values));
  const span = lo === hi ? lo : `${lo}–${hi}`;
  return `<div class="muted">${span}, ${history.length} samples over ${duration((last.at - first.at) / 1000)}</div>`;
}

function pointsMetric(site: SiteHealth, now: number): string {
  const { pool } = site;
  const own = site.connection.sync.budgetPointsUsed ?? 0;
  const poolName = pool.kind === 'app' ? 'app-wide pool (every site)' : "this site's own pool";
  const endsIn = duration(Math.max(0, pool.windowEndsAt - now) / 1000);
  return `<div class="metric"><h3>Jira points this window</h3><strong>site: ${own}</strong>
<div>${escapeHtml(poolName)}: ${pool.spent} of ${pool.limit} points</div>
<div class="muted">window ends in ${endsIn}</div></div>`;
}

import type { RecentCommand } from '../commands/command-store.ts';
import type { Connection } from '../connections/connection.ts';
import { escapeHtml } from '../http/escape-html.ts';

/** One site and its most recent commands, newest first. */
export interface SiteCommands {
  readonly connection: Pick<Connection, 'id' | 'siteHost' | 'status'>;
  readonly commands: readonly RecentCommand[];
}

/**
 * The dashboard's view of two-way sync: per site, its recent commands and their results (the same
 * lines as `GET /admin/api/connections/:id/commands`), next to Bull Board's queues. Commands do not
 * go through a BullMQ queue (the consumer applies them straight from Kafka), so they are listed here.
 */
export function renderCommandsPage(sites: readonly SiteCommands[], now: Date): string {
  const body = sites.length === 0 ? '<p>No connected site yet.</p>' : sites.map(siteSection).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>jira-relay: commands</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse;margin-bottom:2rem}
td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;font-size:.9rem}
.applied{color:#176c2b}.failed,.rejected,.invalid{color:#a61b1b}.conflict,.duplicate{color:#8a5a00}</style>
</head><body><h1>Commands</h1>
<p><a href="/admin/connections">Connections</a> · <a href="/admin/queues">Queues</a> · as of ${escapeHtml(now.toISOString())}</p>
${body}
</body></html>`;
}

function siteSection({ connection, commands }: SiteCommands): string {
  const rows = commands.map(row).join('\n');
  const table =
    commands.length === 0
      ? '<p>No commands yet.</p>'
      : `<table><thead><tr><th>at</th><th>type</th><th>issue</th><th>status</th><th>source</th><th>command id</th><th>reason</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
  return `<h2>${escapeHtml(connection.siteHost)} <small>(${escapeHtml(connection.status)})</small></h2>\n${table}`;
}

function row(c: RecentCommand): string {
  const issue = c.issue?.key ?? c.issue?.id ?? '';
  return `<tr><td>${new Date(c.at).toISOString()}</td><td>${escapeHtml(c.type)}</td><td>${escapeHtml(issue)}</td><td class="${escapeHtml(c.status)}">${escapeHtml(c.status)}</td><td>${escapeHtml(c.source)}</td><td>${escapeHtml(c.commandId)}</td><td>${escapeHtml(c.reason ?? '')}</td></tr>`;
}

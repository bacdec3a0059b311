import { escapeHtml } from '../http/escape-html.ts';

/** A line at the top of the page saying what the last lever did, or why it did nothing. */
export interface Flash {
  readonly kind: 'ok' | 'error';
  readonly text: string;
}

const styles = `body{font-family:system-ui,sans-serif;margin:2rem;color:#172b4d;background:#f7f8f9}
a{color:#0052cc}h1{margin:0 0 .5rem}h2{font-size:1.15rem;margin:0 0 .25rem}h3{font-size:.8rem;font-weight:600;margin:0 0 .2rem;color:#5e6c84;text-transform:uppercase}
nav{margin-bottom:1rem}.muted{color:#6b778c}.flash{padding:.6rem .8rem;border-radius:4px;margin:0 0 1rem}
.flash.ok{background:#e3fcef;color:#006644}.flash.error{background:#ffebe6;color:#bf2600}
.site{background:#fff;border:1px solid #dfe1e6;border-radius:6px;padding:1rem 1.25rem;margin-bottom:1.25rem}
.meta{margin:.2rem 0 .8rem;font-size:.9rem}.status{font-size:.8rem;padding:.1rem .45rem;border-radius:3px;vertical-align:middle}
.status-active{background:#e3fcef;color:#006644}.status-paused{background:#fff0b3;color:#7a5d00}
.status-reauth_required,.status-disconnected{background:#ffebe6;color:#bf2600}
.grid{display:flex;flex-wrap:wrap;gap:1.5rem;margin-bottom:.8rem}.metric strong{display:block;font-size:1.1rem}
.spark rect{fill:#f4f5f7}.spark polyline{fill:none;stroke:#0052cc;stroke-width:1.5}.spark circle{fill:#0052cc}
.pass{font-size:.9rem;margin:.25rem 0;display:flex;align-items:center;gap:.5rem}.pass .kind{width:5.5rem;font-weight:600}
.bar .track{fill:#ebecf0}.bar .fill{fill:#0065ff}.pass.done .bar .fill{fill:#36b37e}
.levers{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin-top:.8rem}.levers form{display:inline-flex;gap:.3rem;align-items:center;margin:0}
.lever,button{font:inherit;font-size:.85rem;padding:.3rem .7rem;border:1px solid #c1c7d0;border-radius:4px;background:#fafbfc;color:#172b4d;text-decoration:none;cursor:pointer}
button.confirm{background:#0052cc;color:#fff;border-color:#0052cc}input{font:inherit;font-size:.85rem;padding:.2rem}
.once{font-family:ui-monospace,monospace;background:#f4f5f7;padding:.5rem;word-break:break-all}`;

/** The HTML document around a connections page body: title, styles, and links to the other admin pages. */
export function pageShell(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>jira-relay: ${escapeHtml(title)}</title>
<style>${styles}</style>
</head><body>
<nav><a href="/admin/connections">Connections</a> · <a href="/admin/queues">Queues</a> · <a href="/admin/commands">Commands</a></nav>
${body}
</body></html>`;
}

export function flashLine(flash: Flash | null): string {
  if (flash === null) return '';
  const role = flash.kind === 'error' ? 'alert' : 'status';
  return `<p class="flash ${flash.kind}" role="${role}">${escapeHtml(flash.text)}</p>`;
}

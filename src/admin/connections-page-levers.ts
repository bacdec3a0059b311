import type { ConnectionStatus } from '../connections/connection.ts';
import { escapeHtml } from '../http/escape-html.ts';
import { pageShell } from './connections-page-shell.ts';

/** The operator's levers on one connection, as the connections page offers them. */
export const leverNames = [
  'pause',
  'resume',
  'resync',
  'backfill',
  'replay',
  'connect-link',
  'rotate-secret',
] as const;

export type LeverName = (typeof leverNames)[number];

interface Lever {
  /** The button's words. */
  readonly label: string;
  /** What it does, said on the confirmation step before it acts. */
  readonly effect: string;
  /** Whether it takes a `from` date: required, optional (empty: from the beginning), or not at all. */
  readonly from: 'required' | 'optional' | null;
  /** Offered only for connections in these statuses (the admin API refuses the others anyway). */
  readonly when: readonly ConnectionStatus[];
}

const live: readonly ConnectionStatus[] = ['active'];
const connected: readonly ConnectionStatus[] = ['active', 'paused', 'reauth_required'];

export const levers: Readonly<Record<LeverName, Lever>> = {
  pause: {
    label: 'Pause',
    effect:
      'Until it is resumed, its signed webhook deliveries are acknowledged and dropped, and no poll, backfill, replay or reconcile runs (the cursor stays put); changes already queued still publish.',
    from: null,
    when: ['active', 'reauth_required'],
  },
  resume: {
    label: 'Resume',
    effect:
      'A poll from the cursor starts at once (it reads what changed meanwhile), the webhook registration is checked again, and a backfill or replay carries on from its checkpoint.',
    from: null,
    when: ['paused'],
  },
  resync: {
    label: 'Resync',
    effect: 'Polls the site now instead of waiting for its schedule.',
    from: null,
    when: live,
  },
  backfill: {
    label: 'Backfill',
    effect:
      'Reads every issue updated since the date (empty: from the beginning) and publishes what consumers have not seen; a backfill already running is superseded.',
    from: 'optional',
    when: live,
  },
  replay: {
    label: 'Replay',
    effect:
      'Re-emits the current version of every issue and comment changed since the date, under the ce_ids they were first published with: consumers that dedupe see nothing new, one that lost its data gets it back. A replay already running is superseded.',
    from: 'required',
    when: live,
  },
  'connect-link': {
    label: 'Connect link',
    effect:
      'Issues a single-use link that starts the Atlassian consent for this site only (to re-authorize it, or add an account). The link is shown once.',
    from: null,
    when: connected,
  },
  'rotate-secret': {
    label: 'Rotate webhook secret',
    effect:
      "Creates or rotates the connection's admin-webhook secret. The new secret is shown once; the previous one is still accepted for the grace period (WEBHOOK_SECRET_ROTATION_GRACE_SECONDS).",
    from: null,
    when: connected,
  },
};

/** The connection a lever acts on, as the pages name it. */
export interface LeverTarget {
  readonly id: string;
  readonly host: string;
  readonly status: ConnectionStatus;
}

/** The levers offered for one connection: each leads to its confirmation step, never straight to the act. */
export function leverBar(target: LeverTarget): string {
  const base = `/admin/connections/${encodeURIComponent(target.id)}/confirm`;
  const items = leverNames
    .filter((name) => levers[name].when.includes(target.status))
    .map((name) => {
      const { label, from } = levers[name];
      const action = escapeHtml(`${base}/${name}`);
      if (from === null) return `<a class="lever" href="${action}">${escapeHtml(label)}</a>`;
      const required = from === 'required' ? ' required' : '';
      const hint = from === 'optional' ? 'from (empty: the beginning)' : 'from';
      return `<form method="get" action="${action}"><input type="date" name="from" aria-label="${escapeHtml(`${label} ${hint}`)}"${required}><button type="submit">${escapeHtml(label)}</button></form>`;
    });
  return `<div class="levers">${items.join('')}</div>`;
}

/**
 * The confirmation step: what the lever will do to which site, and one button that posts it. The
 * post is what acts; this page changes nothing, so opening it by mistake is harmless.
 */
export function renderConfirmPage(target: LeverTarget, name: LeverName, from: string): string {
  const lever = levers[name];
  const action = escapeHtml(`/admin/connections/${encodeURIComponent(target.id)}/${name}`);
  const when = lever.from === null ? '' : fromLine(from);
  const field = lever.from === null ? '' : `<input type="hidden" name="from" value="${escapeHtml(from)}">`;
  const body = `<h1>${escapeHtml(lever.label)}: ${escapeHtml(target.host)}?</h1>
<p>${escapeHtml(lever.effect)}</p>${when}
<form method="post" action="${action}">${field}<button class="confirm" type="submit">Confirm ${escapeHtml(lever.label.toLowerCase())}</button> <a href="/admin/connections">Cancel</a></form>`;
  return pageShell(`${lever.label.toLowerCase()} ${target.host}?`, body);
}

function fromLine(from: string): string {
  return from === ''
    ? '<p>From: <strong>the beginning</strong></p>'
    : `<p>From: <strong>${escapeHtml(from)}</strong></p>`;
}

/** A value the relay shows once and never again (a webhook secret, a connect link), with what it is for. */
export interface ShownOnce {
  readonly title: string;
  readonly lines: readonly string[];
  readonly value: string;
}

export function renderShownOncePage(shown: ShownOnce): string {
  const lines = shown.lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n');
  const body = `<h1>${escapeHtml(shown.title)}</h1>
${lines}
<p class="once" data-once>${escapeHtml(shown.value)}</p>
<p class="muted">It is not shown again: copy it now.</p>
<p><a href="/admin/connections">Back to the connections</a></p>`;
  return pageShell(shown.title, body);
}

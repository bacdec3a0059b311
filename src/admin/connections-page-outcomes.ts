import type { Connection } from '../connections/connection.ts';
import type { RouteResult } from './admin-route.ts';
import { type LeverName, levers, renderShownOncePage } from './connections-page-levers.ts';
import type { Flash } from './connections-page-shell.ts';

/** The admin API route a lever runs, and the body it sends (the API parses and checks it). */
interface LeverCall {
  readonly method: 'POST';
  readonly path: string;
  readonly body: unknown;
}

/** The API call behind each lever: the page adds no rule of its own. */
export function leverCall(lever: LeverName, connection: Connection, from: string): LeverCall {
  const post = (path: string, body: unknown = {}): LeverCall => ({ method: 'POST', path, body });
  switch (lever) {
    case 'pause':
    case 'resume':
    case 'resync':
      return post(`/connections/:id/${lever}`);
    case 'backfill':
      return post('/connections/:id/backfill', { from: from === '' ? null : from });
    case 'replay':
      return post('/connections/:id/replay', { from });
    case 'connect-link':
      return post('/connect-links', { site: connection.siteHost });
    case 'rotate-secret':
      return post('/connections/:id/webhook-secret');
  }
}

/** Back to the page with a flash line, or a page that shows a new secret or link once. */
export type LeverOutcome =
  | { readonly kind: 'flash'; readonly flash: Flash }
  | { readonly kind: 'shown-once'; readonly page: string };

/** What the operator is told after a lever ran: what happened, or the API's reason for refusing. */
export function leverOutcome(
  lever: LeverName,
  host: string,
  from: string,
  result: RouteResult,
): LeverOutcome {
  const body = (result.body ?? {}) as Record<string, unknown>;
  if (result.status >= 300) {
    const reason = typeof body.message === 'string' ? body.message : `status ${result.status}`;
    return flash('error', `${levers[lever].label} of ${host} refused: ${reason}`);
  }
  const since = from === '' ? 'the beginning' : from;
  switch (lever) {
    case 'pause':
      return flash('ok', `Paused ${host}: its deliveries are dropped and no sync runs until it is resumed.`);
    case 'resume':
      return flash('ok', `Resumed ${host}: a poll from the cursor is queued.`);
    case 'resync':
      return flash('ok', `Resync of ${host} queued.`);
    case 'backfill':
      return flash('ok', `Backfill of ${host} from ${since} queued.`);
    case 'replay':
      return flash('ok', `Replay of ${host} from ${since} queued.`);
    case 'connect-link':
      return shownOnce(`Connect link for ${host}`, String(body.url), [
        `Open it once, before ${iso(body.expiresAt)}, to start the Atlassian consent for ${host} only.`,
      ]);
    case 'rotate-secret':
      return shownOnce(`New admin-webhook secret for ${host}`, String(body.secret), [
        `Put it, with the URL ${String(body.url)}, into the admin webhook in Jira now.`,
        body.previousValidUntil === null
          ? 'There was no previous secret.'
          : `The previous secret is accepted until ${iso(body.previousValidUntil)}.`,
      ]);
  }
}

function flash(kind: Flash['kind'], text: string): LeverOutcome {
  return { kind: 'flash', flash: { kind, text } };
}

function shownOnce(title: string, value: string, lines: string[]): LeverOutcome {
  return { kind: 'shown-once', page: renderShownOncePage({ title, value, lines }) };
}

function iso(epochMs: unknown): string {
  return typeof epochMs === 'number' ? new Date(epochMs).toISOString() : 'its expiry';
}

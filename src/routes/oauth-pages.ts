import type { StateRejection } from '../atlassian/oauth/oauth-state-store.ts';
import { type Connection, type ConsentedSite, siteHostOf } from '../connections/connection.ts';
import { escapeHtml } from '../http/escape-html.ts';

/** The small HTML pages of the consent flow. Every interpolated value is escaped. */
export interface Page {
  readonly status: number;
  readonly html: string;
}

const stateMessages: Record<StateRejection, string> = {
  missing: 'The sign-in link has no state parameter, so it cannot be checked.',
  expired: 'This sign-in attempt expired before it was completed.',
  reused: 'This sign-in link was already used.',
  foreign: 'This sign-in attempt was not started from this browser.',
};

export function stateRejectedPage(reason: StateRejection): Page {
  return page(400, 'Sign-in refused', `<p>${escapeHtml(stateMessages[reason])}</p>${startAgain}`);
}

export function declinedPage(): Page {
  return page(
    200,
    'Nothing connected',
    `<p>You declined access, so no Jira site was connected.</p>${startAgain}`,
  );
}

export function atlassianErrorPage(error: string, description: string | undefined): Page {
  const detail = description ? ` (${escapeHtml(description)})` : '';
  return page(
    400,
    'Sign-in failed',
    `<p>Atlassian reported <code>${escapeHtml(error)}</code>${detail}.</p>${startAgain}`,
  );
}

export function failedPage(status: number, message: string): Page {
  return page(status, 'Connection failed', `<p>${escapeHtml(message)}</p>${startAgain}`);
}

export function connectedPage(
  connections: readonly { connection: Connection; created: boolean }[],
  refused: readonly ConsentedSite[] = [],
): Page {
  const notAllowed = refused.length > 0 ? `<p>${refusedList(refused)}</p>` : '';
  if (connections.length === 0) {
    return page(200, 'Nothing connected', `<p>This account granted access to no Jira site.</p>${notAllowed}`);
  }
  const items = connections
    .map(({ connection: c, created }) => {
      const note = created ? 'connected' : 'updated';
      return `<li><a href="${escapeHtml(c.siteUrl)}">${escapeHtml(c.name)}</a> (${escapeHtml(c.siteHost)}): ${note}</li>`;
    })
    .join('');
  return page(200, 'Jira connected', `<p>These Jira sites are connected:</p><ul>${items}</ul>${notAllowed}`);
}

/** Every site the consent reached is outside OAUTH_ALLOWED_SITES: nothing was stored. */
export function refusedSitesPage(refused: readonly ConsentedSite[]): Page {
  return page(
    403,
    'Site not allowed',
    `<p>${refusedList(refused)}</p><p>Nothing was connected. Ask the operator of this relay to allow the site.</p>`,
  );
}

function refusedList(refused: readonly ConsentedSite[]): string {
  const hosts = refused.map((site) => escapeHtml(siteHostOf(site.url))).join(', ');
  return `This relay does not connect these sites (not in its allowed list): ${hosts}.`;
}

const startAgain =
  '<p>To try again, ask the operator of this relay for a new connect link (operators: <a href="/admin/connect">/admin/connect</a>).</p>';

/** `/oauth/start` without a valid connect link: connecting a site is an operator's act. */
export function connectLinkRequiredPage(given: boolean): Page {
  const why = given
    ? 'This connect link is not valid: it was used already, it expired, or it was never issued.'
    : 'Connecting a Jira site needs a connect link from the operator of this relay.';
  return page(403, 'Connect link required', `<p>${escapeHtml(why)}</p>${startAgain}`);
}

export function tooManyStartsPage(): Page {
  return page(
    429,
    'Too many attempts',
    '<p>Too many connection attempts from this address. Please wait a minute.</p>',
  );
}

function page(status: number, title: string, body: string): Page {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
  return { status, html };
}

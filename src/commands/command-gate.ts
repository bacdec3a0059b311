import type { Connection } from '../connections/connection.ts';

/** The scope a grant needs for every command (issues and comments are "Jira work"). */
const WRITE_SCOPE = 'write:jira-work';

export type GateAnswer =
  | { readonly ok: true; readonly connection: Connection }
  | { readonly ok: false; readonly reason: string };

/**
 * Whether the relay may write to a site for a command: a connection for the host, active, whose
 * grant has `write:jira-work`. Anything else is `rejected` with the reason (DESIGN.md, "Two-way
 * sync"); a connection that needs reauthorization is rejected too, since no write can succeed until
 * an operator acts.
 */
export function gateCommand(siteHost: string, connection: Connection | null): GateAnswer {
  if (connection === null) return { ok: false, reason: `unknown site ${siteHost}: no connection` };
  switch (connection.status) {
    case 'paused':
      return { ok: false, reason: `site ${siteHost} is paused` };
    case 'disconnected':
      return { ok: false, reason: `site ${siteHost} is disconnected` };
    case 'reauth_required':
      return { ok: false, reason: `site ${siteHost} needs reauthorization` };
    case 'active':
      break;
  }
  if (!connection.scopes.includes(WRITE_SCOPE)) {
    return { ok: false, reason: `the grant for ${siteHost} is read-only: it lacks ${WRITE_SCOPE}` };
  }
  return { ok: true, connection };
}

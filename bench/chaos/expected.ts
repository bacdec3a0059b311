import type { IssueNow, JiraReader } from './jira-reader.ts';
import type { LoadModel, SiteInfo, TouchedComment, TouchedIssue } from './load-model.ts';

export type IncidentState = 'triggered' | 'acknowledged' | 'resolved';

/** What a consumer of one connector must end up with for one entity. */
export type Expected =
  | { readonly kind: 'version'; readonly version: number }
  | { readonly kind: 'deleted' }
  /** Monitoring: the incident's state, and for an open incident the severity of its last trigger. */
  | { readonly kind: 'incident'; readonly state: IncidentState; readonly severity: string | null };

export interface Expectation {
  readonly connector: 'crm' | 'monitoring';
  readonly entity: 'issue' | 'comment';
  readonly host: string;
  /** The entity's id: the issue id, or the comment id. */
  readonly id: string;
  readonly issueId: string;
  readonly issueKey: string;
  readonly expected: Expected;
  /** When the load last changed the entity (epoch ms). */
  readonly lastChangeAt: number;
}

/** The monitoring connector's defaults: status category to incident state, priority to severity. */
const incidentOf: Readonly<Record<string, IncidentState>> = {
  new: 'triggered',
  indeterminate: 'acknowledged',
  done: 'resolved',
};
const severityOf: Readonly<Record<string, string>> = {
  Highest: 'critical',
  Blocker: 'critical',
  High: 'error',
  Critical: 'error',
  Medium: 'warning',
  Major: 'warning',
  Low: 'info',
  Lowest: 'info',
  Minor: 'info',
  Trivial: 'info',
};

function issueExpectations(t: TouchedIssue, now: IssueNow | undefined): Expectation[] {
  const base = {
    entity: 'issue',
    host: t.site.host,
    id: t.id,
    issueId: t.id,
    issueKey: t.key,
    lastChangeAt: t.lastAt,
  } as const;
  if (!now) {
    return [
      { ...base, connector: 'crm', expected: { kind: 'deleted' } },
      { ...base, connector: 'monitoring', expected: { kind: 'incident', state: 'resolved', severity: null } },
    ];
  }
  const state = incidentOf[now.category] ?? 'triggered';
  const severity = state === 'resolved' ? null : (severityOf[now.priority ?? ''] ?? 'warning');
  return [
    { ...base, connector: 'crm', expected: { kind: 'version', version: now.updated } },
    { ...base, connector: 'monitoring', expected: { kind: 'incident', state, severity } },
  ];
}

/** CRM: the note's last version or its deletion. Monitoring: the last version's annotation, if alive. */
function commentExpectations(t: TouchedComment, updated: number | undefined): Expectation[] {
  const base = {
    entity: 'comment',
    host: t.site.host,
    id: t.id,
    issueId: t.issueId,
    issueKey: t.key,
    lastChangeAt: t.lastAt,
  } as const;
  if (updated === undefined) return [{ ...base, connector: 'crm', expected: { kind: 'deleted' } }];
  return [
    { ...base, connector: 'crm', expected: { kind: 'version', version: updated } },
    { ...base, connector: 'monitoring', expected: { kind: 'version', version: updated } },
  ];
}

/**
 * The final states when the load stops: per connector and entity the load touched, what Jira shows
 * now (read back through its API): an issue's or comment's last version, or its deletion (an issue's
 * deletion deletes its comments too).
 */
export async function expectedFinalStates(
  reader: JiraReader,
  model: LoadModel,
  sites: readonly SiteInfo[],
): Promise<Expectation[]> {
  const out: Expectation[] = [];
  for (const site of sites) {
    const issues = [...model.touchedIssues.values()].filter((t) => t.site === site);
    const comments = [...model.touchedComments.values()].filter((t) => t.site === site);
    const issuesNow = await reader.issues(
      site.cloudId,
      issues.map((i) => i.id),
    );
    const commentsNow = await reader.comments(
      site.cloudId,
      comments.map((c) => c.id),
    );
    for (const t of issues) out.push(...issueExpectations(t, issuesNow.get(t.id)));
    for (const t of comments) out.push(...commentExpectations(t, commentsNow.get(t.id)));
  }
  return out;
}

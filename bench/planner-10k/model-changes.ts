import type { IssueChange, SiteRef } from '../../connectors/jira-change.ts';

/** The identity of an issue as the relay's state stores key it. */
export interface IssueRef {
  readonly id: string;
  readonly key: string;
}

/**
 * A change as the coverage and known-entity stores read it: site, issue id and key, version,
 * path and time. Those stores key on nothing else, so the snapshot is a placeholder; the
 * simulation builds these for delivered webhooks (every site) and for what a modelled poll reads.
 */
export function issueChange(
  site: SiteRef,
  issue: IssueRef,
  version: number,
  source: 'webhook' | 'poll',
  observedAt: number,
): IssueChange {
  const iso = new Date(version).toISOString();
  return {
    entity: 'issue',
    kind: 'updated',
    site,
    version,
    source,
    observedAt,
    changelog: [],
    issue: {
      id: issue.id,
      key: issue.key,
      project: { id: '10000', key: issue.key.split('-')[0] ?? 'SIM' },
      issueType: { name: 'Task' },
      summary: '',
      description: null,
      status: { name: 'To Do', category: 'new' },
      priority: null,
      assignee: null,
      reporter: null,
      labels: [],
      components: [],
      customFields: {},
      created: iso,
      updated: iso,
    },
  };
}

/** The placeholder identity of issue `index` of a modelled site (never read from Jira). */
export function modelIssue(index: number): IssueRef {
  return { id: String(100_000 + index), key: `SIM-${index + 1}` };
}

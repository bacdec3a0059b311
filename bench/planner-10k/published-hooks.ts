import type { JiraChange } from '../../connectors/jira-change.ts';
import type { Site } from './fleet.ts';
import type { IssueRef } from './model-changes.ts';
import type { Recorder } from './recorder.ts';

/**
 * What the real passes publish: a backfill's issues name each real site's issues; a real poll's
 * issue changes recover the lost changes of that site up to the version it published.
 */
export function publishedHooks() {
  const issues = new Map<string, IssueRef[]>();
  const realPollStarts = new Map<string, number>();
  let byHost = new Map<string, Site>();
  let recorder: Recorder | null = null;
  return {
    realPollStarts,
    published(change: JiraChange): void {
      if (change.entity !== 'issue') return;
      const host = change.site.host;
      if (change.source === 'backfill') {
        issues.set(host, [...(issues.get(host) ?? []), { id: change.issue.id, key: change.issue.key }]);
        return;
      }
      const site = byHost.get(host);
      const at = realPollStarts.get(host);
      if (change.source !== 'poll' || !site?.real || at === undefined) return;
      const index = site.issues.findIndex((i) => i.id === change.issue.id);
      if (index >= 0) recorder?.recovered(site.index, site.model.publishedByPoll(index, change.version, at));
    },
    issuesOf(site: Site): IssueRef[] {
      const found = (issues.get(site.ref.host) ?? []).sort((a, b) => a.key.localeCompare(b.key));
      if (found.length !== site.issues.length) {
        throw new Error(
          `${site.ref.host}: backfill published ${found.length} issues, expected ${site.issues.length}`,
        );
      }
      return found;
    },
    follow(sites: readonly Site[], to: Recorder): void {
      byHost = new Map(sites.map((s) => [s.ref.host, s]));
      recorder = to;
    },
  };
}

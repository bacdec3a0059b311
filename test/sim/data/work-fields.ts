import type { SimIssue, SimTimeTracking } from '../model.ts';
import type { Random } from '../random.ts';
import { environments, linkTypes, securityLevels, versions } from './catalog.ts';
import { adfParagraphs } from './text.ts';

const DAY_MS = 86_400_000;
const HOUR = 3600;
const estimates = [HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR, 16 * HOUR, 40 * HOUR];

/**
 * Fills the built-in fields beyond the core ones (due date, environment, versions, parent, links,
 * time tracking, security level, watchers, votes) on generated issues. It draws from its own
 * random stream, so the core data of a seed stays what it was before these fields existed. The
 * first issue of each site has every one of them set, for tests that need a fully filled issue.
 */
export function addWorkFields(random: Random, issues: readonly SimIssue[]): void {
  let nextLinkId = 10000;
  // Parents are taken from every fifth issue, which never has a parent itself: no cycles.
  const parents = issues.filter((_, i) => i % 5 === 1);
  issues.forEach((issue, index) => {
    const full = index === 0;
    const may = (p: number) => full || random.chance(p);
    const own = versions.filter((v) => v.projectId === issue.projectId);
    if (may(0.6)) issue.dueDate = dateOnly(issue.created + DAY_MS * (7 + random.int(60)));
    if (may(0.4)) issue.environment = adfParagraphs(random.pick(environments));
    if (own.length > 0 && may(0.5)) issue.fixVersionIds = [random.pick(own).id];
    const released = own.filter((v) => v.released);
    if (released.length > 0 && may(0.3)) issue.affectsVersionIds = [random.pick(released).id];
    if (may(0.2)) issue.securityLevelId = random.pick(securityLevels).id;
    if (may(0.5)) issue.timeTracking = timeTracking(random, full);
    issue.watcherIds = [issue.reporterId];
    if (issue.assigneeId !== null && issue.assigneeId !== issue.reporterId && may(0.5))
      issue.watcherIds.push(issue.assigneeId);
    issue.votes = full ? 1 + random.int(4) : random.int(3);
    const parent = pickParent(random, issue, index, parents);
    if (parent && may(0.3)) issue.parentId = parent.id;
    const other = issues[random.int(issues.length)];
    if (other && other !== issue && may(0.3)) {
      const id = String(nextLinkId++);
      const typeId = random.pick(linkTypes).id;
      issue.links = [...(issue.links ?? []), { id, typeId, direction: 'outward', otherIssueId: other.id }];
      other.links = [...(other.links ?? []), { id, typeId, direction: 'inward', otherIssueId: issue.id }];
    }
  });
}

function pickParent(
  random: Random,
  issue: SimIssue,
  index: number,
  parents: readonly SimIssue[],
): SimIssue | undefined {
  if (index % 5 === 1) return undefined;
  const candidates = parents.filter((p) => p !== issue);
  const sameProject = candidates.filter((p) => p.projectId === issue.projectId);
  const pool = sameProject.length > 0 ? sameProject : candidates;
  return pool.length > 0 ? random.pick(pool) : undefined;
}

function timeTracking(random: Random, logged: boolean): SimTimeTracking {
  const original = random.pick(estimates);
  const spent = logged || random.chance(0.6) ? Math.min(original, HOUR * (1 + random.int(8))) : null;
  return { originalSeconds: original, remainingSeconds: original - (spent ?? 0), spentSeconds: spent };
}

/** `yyyy-MM-dd` of an instant, in UTC (Jira dates have no zone). */
function dateOnly(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

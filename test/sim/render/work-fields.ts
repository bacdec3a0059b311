import { doneResolution, linkTypes, securityLevels, versions } from '../data/catalog.ts';
import type { SimIssue, SimIssueLink } from '../model.ts';
import { type FieldDef, isWebhookView, system } from './field-def.ts';
import { renderIssueType, renderPriority, renderStatus } from './named-values.ts';
import { formatJiraDate } from './time-zone.ts';
import type { RenderView } from './view.ts';
import { adfToWiki } from './wiki.ts';

/**
 * Built-in fields beyond the core ones, rendered as REST v3 returns them and, in a webhook view,
 * as Jira's v2-shaped webhook bodies carry them: `environment` as wiki markup instead of ADF, and
 * `timetracking` as `{}` (as in the captured bodies), its numbers only in `timeoriginalestimate`,
 * `timeestimate` and `timespent`.
 */
export const workFieldDefs: readonly FieldDef[] = [
  system('duedate', 'Due date', 'date', (i) => i.dueDate ?? null),
  system('resolutiondate', 'Resolved', 'datetime', (i, v) =>
    i.resolutionDate === null ? null : formatJiraDate(i.resolutionDate, v.timeZone),
  ),
  system('resolution', 'Resolution', 'resolution', (i, v) =>
    i.resolutionDate === null
      ? null
      : { self: `${v.base}/resolution/${doneResolution.id}`, ...doneResolution },
  ),
  system('environment', 'Environment', 'string', (i, v) => {
    if (!i.environment) return null;
    return isWebhookView(v) ? adfToWiki(i.environment) : i.environment;
  }),
  system('fixVersions', 'Fix versions', 'array', (i, v) => renderVersions(i.fixVersionIds, v), {
    schema: { type: 'array', items: 'version', system: 'fixVersions' },
    clauseNames: ['fixVersion'],
  }),
  system('versions', 'Affects versions', 'array', (i, v) => renderVersions(i.affectsVersionIds, v), {
    schema: { type: 'array', items: 'version', system: 'versions' },
    clauseNames: ['affectedVersion'],
  }),
  system('parent', 'Parent', 'issuelink', (i, v) => renderIssueRef(i.parentId ?? null, v)),
  system('issuelinks', 'Linked Issues', 'array', (i, v) => (i.links ?? []).map((l) => renderLink(l, v)), {
    schema: { type: 'array', items: 'issuelinks', system: 'issuelinks' },
    clauseNames: ['issueLink'],
  }),
  system('timetracking', 'Time tracking', 'timetracking', (i, v) =>
    isWebhookView(v) ? {} : renderTimeTracking(i),
  ),
  system(
    'timeoriginalestimate',
    'Original estimate',
    'number',
    (i) => i.timeTracking?.originalSeconds ?? null,
    {
      clauseNames: ['originalEstimate', 'timeoriginalestimate'],
    },
  ),
  system('timeestimate', 'Remaining Estimate', 'number', (i) => i.timeTracking?.remainingSeconds ?? null, {
    clauseNames: ['remainingEstimate', 'timeestimate'],
  }),
  system('timespent', 'Time Spent', 'number', (i) => i.timeTracking?.spentSeconds ?? null),
  system('security', 'Security Level', 'securitylevel', (i, v) => {
    const level = securityLevels.find((s) => s.id === i.securityLevelId);
    return level ? { self: `${v.base}/securitylevel/${level.id}`, ...level } : null;
  }),
  system('watches', 'Watchers', 'watches', (i, v) => ({
    self: `${v.base}/issue/${i.key}/watchers`,
    watchCount: i.watcherIds?.length ?? 0,
    isWatching: false,
  })),
  system('votes', 'Votes', 'votes', (i, v) => ({
    self: `${v.base}/issue/${i.key}/votes`,
    votes: i.votes ?? 0,
    hasVoted: false,
  })),
];

function renderVersions(ids: readonly string[] | undefined, view: RenderView): Record<string, unknown>[] {
  return (ids ?? []).flatMap((id) => {
    const v = versions.find((x) => x.id === id);
    if (!v) return [];
    return [
      {
        self: `${view.base}/version/${v.id}`,
        id: v.id,
        description: '',
        name: v.name,
        archived: false,
        released: v.released,
        releaseDate: v.releaseDate,
      },
    ];
  });
}

/** Another issue as parents and links embed it: id, key and four of its fields. */
function renderIssueRef(issueId: string | null, view: RenderView): Record<string, unknown> | null {
  const other = issueId === null ? undefined : view.store.byId.get(issueId);
  if (!other) return null;
  return {
    id: other.id,
    key: other.key,
    self: `${view.base}/issue/${other.id}`,
    fields: {
      summary: other.summary,
      status: renderStatus(other.statusId, view),
      priority: renderPriority(other.priorityId, view),
      issuetype: renderIssueType(other.issueTypeId, view),
    },
  };
}

function renderLink(link: SimIssueLink, view: RenderView): Record<string, unknown> {
  const type = linkTypes.find((t) => t.id === link.typeId) ?? linkTypes[0];
  return {
    id: link.id,
    self: `${view.base}/issueLink/${link.id}`,
    type: { ...type, self: `${view.base}/issueLinkType/${type?.id}` },
    [link.direction === 'outward' ? 'outwardIssue' : 'inwardIssue']: renderIssueRef(link.otherIssueId, view),
  };
}

/** Keys only for what is set, as Jira leaves them out; `{}` when nothing is. */
function renderTimeTracking(issue: SimIssue): Record<string, unknown> {
  const t = issue.timeTracking;
  const out: Record<string, unknown> = {};
  if (t?.originalSeconds != null) {
    out.originalEstimate = formatDuration(t.originalSeconds);
    out.originalEstimateSeconds = t.originalSeconds;
  }
  if (t?.remainingSeconds != null) {
    out.remainingEstimate = formatDuration(t.remainingSeconds);
    out.remainingEstimateSeconds = t.remainingSeconds;
  }
  if (t?.spentSeconds != null) {
    out.timeSpent = formatDuration(t.spentSeconds);
    out.timeSpentSeconds = t.spentSeconds;
  }
  return out;
}

/** Jira's duration text with its default 8-hour days and 5-day weeks: `1w 2d 4h 30m`, `0m`. */
function formatDuration(seconds: number): string {
  const units: [string, number][] = [
    ['w', 5 * 8 * 3600],
    ['d', 8 * 3600],
    ['h', 3600],
    ['m', 60],
  ];
  let rest = Math.max(0, Math.round(seconds));
  const parts: string[] = [];
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n}${unit}`);
  }
  return parts.length > 0 ? parts.join(' ') : '0m';
}

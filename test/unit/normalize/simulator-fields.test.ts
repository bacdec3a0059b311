import { describe, expect, it } from 'vitest';
import { parseConnectorsConfig } from '../../../connectors/config/parse-connectors-config.ts';
import { resolveFieldNames } from '../../../connectors/config/resolve-field-names.ts';
import { mappedFields } from '../../../connectors/field-values.ts';
import type { IssueChange, IssueSnapshot } from '../../../connectors/jira-change.ts';
import type { JiraIssue } from '../../../src/atlassian/jira/jira-search.ts';
import { syncedIssue } from '../../../src/normalize/polled-changes.ts';
import { changesFromWebhook } from '../../../src/normalize/webhook-changes.ts';
import { CUSTOMER_FIELD, STORY_POINTS_FIELD } from '../../sim/data/catalog.ts';
import { generateWorld } from '../../sim/data/generate.ts';
import { resolveOptions } from '../../sim/options.ts';
import { fieldDefs } from '../../sim/render/fields.ts';
import { renderIssue, selectFields } from '../../sim/render/issue.ts';
import { World } from '../../sim/state/world.ts';
import { buildPayload } from '../../sim/webhooks/payload.ts';

/**
 * Every field of the simulator's field list, on one issue that has a value in each, rendered as
 * Jira's REST v3 returns it (polling) and as its webhook body carries it, through the relay's own
 * normalization of each path: mapped by id and by name, both paths give the same, non-null value.
 */
const NOW = Date.UTC(2026, 5, 1);
const { users, stores } = generateWorld(resolveOptions({ sites: 1, issuesPerSite: 12 }), NOW);
const world = new World(users, stores);
const store = required(stores[0], 'a site');
const issue = required(store.byId.get('10000'), 'its first issue'); // generated with every work field set
const ada = required(users[0], 'a user');
const grace = required(users[1], 'a second user');

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the simulator generated no ${what}`);
  return value;
}

// What the generator leaves to the workflow and to people: resolved, assigned, labelled, custom fields.
Object.assign(issue, {
  statusId: '10001',
  resolutionDate: issue.updated,
  assigneeId: grace.accountId,
  labels: ['ops', 'customer'],
  componentIds: ['10100'],
  custom: { [CUSTOMER_FIELD]: '10201', [STORY_POINTS_FIELD]: 5 },
});

const fields = fieldDefs.filter((f) => f.id !== 'comment');
const site = { host: store.site.host, cloudId: store.site.cloudId };

function polledSnapshot(): IssueSnapshot {
  const view = {
    world,
    store,
    base: `https://api.atlassian.com/ex/jira/${site.cloudId}/rest/api/3`,
    timeZone: 'Asia/Tokyo',
  };
  const request = {
    fields: selectFields(['*navigable'], '*navigable'),
    expand: new Set<string>(),
    properties: [],
    commentCap: 20,
    namesOnIssue: false,
    changelogCap: 0,
  };
  const raw = renderIssue(issue, view, request) as unknown as JiraIssue;
  const synced = syncedIssue(raw, { site, source: 'poll', observedAt: NOW, markdown: false });
  if (!synced) throw new Error('not normalized');
  return synced.snapshot;
}

function webhookSnapshot(): IssueSnapshot {
  // The actor is in another time zone than the polling account: Jira writes times in each one's.
  const body = buildPayload(world, {
    name: 'jira:issue_updated',
    store,
    issue,
    actorId: ada.accountId,
    at: NOW,
    issueEventTypeName: 'issue_updated',
    flow: 'Primary',
  });
  const outcome = changesFromWebhook(body, { site, receivedAt: NOW, markdown: false });
  if (outcome.kind !== 'changes') throw new Error(outcome.reason);
  return (outcome.changes[0] as IssueChange).issue;
}

/** A CRM mapping of every field twice: `id_<id>` by id and `name_<id>` by the name Jira shows. */
function everyFieldMapping() {
  const lines = fields.flatMap((f) => [
    `      id_${f.id}: { id: ${f.id} }`,
    `      name_${f.id}: { name: "${f.name}" }`,
  ]);
  const parsed = parseConnectorsConfig(`connectors:\n  crm:\n    fields:\n${lines.join('\n')}\n`);
  if (!parsed.ok || !parsed.config.connectors.crm) throw new Error(JSON.stringify(parsed));
  return resolveFieldNames(parsed.config.connectors.crm, fieldDefs);
}

describe('every field of the simulator, by webhook and by polling', () => {
  const { mapping, problems } = everyFieldMapping();
  const polled = mappedFields(polledSnapshot(), mapping);
  const pushed = mappedFields(webhookSnapshot(), mapping);

  it('resolves every name of the field list', () => {
    expect(problems).toEqual([]);
    expect(Object.keys(mapping.fields)).toHaveLength(fields.length * 2);
  });

  it.each(fields.map((f) => [f.id, String(f.schema.items ?? f.schema.type)]))(
    '%s (%s): a value, the same by id and by name, by webhook and by polling',
    (id) => {
      expect(polled[`id_${id}`], 'polled').not.toBeNull();
      expect(pushed[`id_${id}`], 'webhook').toEqual(polled[`id_${id}`]);
      expect(polled[`name_${id}`], 'by name').toEqual(polled[`id_${id}`]);
      expect(pushed[`name_${id}`], 'by name, webhook').toEqual(polled[`id_${id}`]);
    },
  );

  it('renders each type as documented', () => {
    const iso = (ms: number) => new Date(ms).toISOString();
    const parent = store.byId.get(issue.parentId ?? '');
    const link = issue.links?.[0];
    const tracking = issue.timeTracking;
    expect(polled).toMatchObject({
      id_summary: issue.summary,
      id_status: 'Done',
      id_priority: expect.any(String),
      id_issuetype: expect.any(String),
      id_project: issue.key.replace(/-\d+$/, ''),
      id_labels: ['ops', 'customer'],
      id_components: ['Backend'],
      id_assignee: { accountId: grace.accountId, displayName: grace.displayName },
      id_creator: { accountId: issue.creatorId, displayName: world.user(issue.creatorId)?.displayName },
      id_created: iso(issue.created),
      id_updated: iso(issue.updated),
      id_resolutiondate: iso(issue.updated),
      id_resolution: 'Done',
      id_duedate: issue.dueDate,
      id_environment: expect.stringMatching(/\w/),
      id_fixVersions: [expect.stringMatching(/^\d\.\d$/)],
      id_versions: [expect.stringMatching(/^\d\.\d$/)],
      id_parent: parent?.key,
      id_issuelinks: [{ type: expect.any(String), relation: expect.any(String), key: expect.any(String) }],
      id_timetracking: {
        originalEstimateSeconds: tracking?.originalSeconds,
        remainingEstimateSeconds: tracking?.remainingSeconds,
        timeSpentSeconds: tracking?.spentSeconds,
      },
      id_timeoriginalestimate: tracking?.originalSeconds,
      id_timespent: tracking?.spentSeconds,
      id_security: expect.any(String),
      id_watches: issue.watcherIds?.length,
      id_votes: issue.votes,
      [`id_${CUSTOMER_FIELD}`]: 'Initech',
      [`id_${STORY_POINTS_FIELD}`]: 5,
    });
    expect(link).toBeDefined();
  });

  it('refuses to map comments as a field: they are events of their own', () => {
    const parsed = parseConnectorsConfig('connectors:\n  crm:\n    fields:\n      notes: comment\n');
    if (!parsed.ok || !parsed.config.connectors.crm) throw new Error('unparsed');
    const resolution = resolveFieldNames(parsed.config.connectors.crm, fieldDefs);
    expect(resolution.mapping.fields).toEqual({});
    expect(resolution.problems).toEqual([
      'fields.notes: comment: comments are published as events of their own (notes, annotations), not as a field',
    ]);
  });
});

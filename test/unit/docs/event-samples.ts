import { mapToCrm } from '../../../connectors/crm/crm-connector.ts';
import type { IssueSnapshot, JiraChange } from '../../../connectors/jira-change.ts';
import { mapToMonitoring } from '../../../connectors/monitoring/monitoring-connector.ts';
import type { ConnectorResult, RelayEvent } from '../../../connectors/relay-event.ts';
import * as changes from '../../helpers/changes.ts';
import { commentChange, issue, issueChange, mapping, t0 } from '../../helpers/connector-fixtures.ts';

/**
 * Events built by the connectors' own map functions from the connector test fixtures, covering
 * every type and the variants of each: optional and nullable fields, Markdown (TEXT_MARKDOWN),
 * moves, mapped fields of every value shape, incidents first seen in every state.
 */

const now = new Date('2030-01-01T00:00:00.000Z');

/** Fields of every kind of value: text, option, user, list, system field, absent, nested JSON. */
const allFields = {
  customer: 'customfield_10050',
  organization: 'customfield_10051',
  region: 'customfield_10051',
  empty: 'customfield_10052',
  who: 'assignee',
  tags: 'labels',
  due: 'duedate',
  sprint: 'customfield_10060',
};
/** CRM statuses are free targets; monitoring ones are lifecycle states (the config schema's rule). */
const crmMapping = mapping({
  fields: allFields,
  statuses: new Map([
    ['to do', 'open'],
    ['done', 'closed'],
  ]),
});
const monitoringMapping = mapping({ fields: allFields, statuses: new Map([['in review', 'acknowledged']]) });

const richIssue = (overrides: Partial<IssueSnapshot> = {}) =>
  issue({
    customFields: {
      ...issue().customFields,
      customfield_10060: [{ id: 7, name: 'Sprint 7', state: 'active' }, { nested: { deep: [1, 2.5, true] } }],
    },
    ...overrides,
  });

const bare = issue({
  project: { id: '10000', key: 'OPS' },
  issueType: { name: 'Unknown' },
  summary: '',
  description: null,
  descriptionMarkdown: null,
  status: { name: 'Limbo', category: 'undefined' },
  priority: null,
  assignee: null,
  reporter: { accountId: 'legacy-user' },
  labels: [],
  components: [],
  customFields: {},
});

const inProgress = issue({ status: { id: '3', name: 'In Progress', category: 'indeterminate' } });
const done = issue({ status: { id: '5', name: 'Done', category: 'done' } });

/** The changes each connector maps, with the mapping to map them by. */
const crmChanges: readonly [JiraChange, ReturnType<typeof mapping>][] = [
  [issueChange({ kind: 'created', issue: richIssue() }), crmMapping],
  [
    issueChange({
      kind: 'moved',
      previousKey: 'SUP-3',
      issue: richIssue({ descriptionMarkdown: '**bold**' }),
    }),
    crmMapping,
  ],
  [issueChange({ issue: bare }), mapping()],
  [changes.issueChange({ kind: 'created' }), crmMapping],
  [issueChange({ kind: 'deleted', version: t0 + 60_000 }), crmMapping],
  [commentChange(), crmMapping],
  [
    commentChange({
      kind: 'updated',
      comment: { ...commentChange().comment, public: false, bodyMarkdown: '_x_', author: null },
    }),
    mapping(),
  ],
  [
    changes.commentChange({ comment: { ...changes.commentChange().comment, body: '', bodyMarkdown: '' } }),
    mapping(),
  ],
  [commentChange({ kind: 'deleted', version: t0 + 9000 }), mapping()],
];

const monitoringChanges: readonly [JiraChange, ReturnType<typeof mapping>][] = [
  [issueChange({ kind: 'created', previous: null, issue: richIssue() }), monitoringMapping],
  [issueChange({ previous: null, issue: inProgress }), mapping()],
  [
    issueChange({ previous: issue(), issue: { ...bare, status: { name: 'To Do', category: 'new' } } }),
    mapping(),
  ],
  [
    issueChange({ issue: richIssue({ summary: 'x'.repeat(2000), description: 'y'.repeat(5000) }) }),
    monitoringMapping,
  ],
  [issueChange({ previous: issue(), issue: inProgress }), mapping()],
  [issueChange({ previous: inProgress, issue: done }), mapping()],
  [issueChange({ kind: 'deleted', previous: null }), mapping()],
  [changes.issueChange({ previous: changes.issueSnapshot({ priority: { name: 'Low' } }) }), mapping()],
  [commentChange(), mapping()],
  [commentChange({ comment: { ...commentChange().comment, author: null, public: false } }), mapping()],
  [
    changes.commentChange({ comment: { ...changes.commentChange().comment, author: { accountId: 'u-9' } } }),
    mapping(),
  ],
];

function eventsOf(result: ConnectorResult): readonly RelayEvent[] {
  if (result.kind !== 'events') throw new Error(`a sample was skipped: ${result.reason}`);
  return result.events;
}

/** Every sample event, built afresh. */
export function connectorSampleEvents(): RelayEvent[] {
  return [
    ...crmChanges.flatMap(([change, m]) => eventsOf(mapToCrm(change, m, now))),
    ...monitoringChanges.flatMap(([change, m]) => eventsOf(mapToMonitoring(change, m, now))),
  ];
}

import type { ResolvedMapping } from '../config/resolve-field-names.ts';
import { buildEvent } from '../event-identity.ts';
import { filterOut } from '../filter.ts';
import type { CommentChange, IssueChange, JiraChange } from '../jira-change.ts';
import { severityOf } from '../mapping-lookups.ts';
import { type Connector, type ConnectorResult, type RelayEvent, skip } from '../relay-event.ts';
import { actionsFor, type IncidentAction, lifecycleOf } from './lifecycle.ts';
import { annotationEvent, incidentEvent } from './pagerduty-event.ts';

const MONITORING = 'monitoring';

const typeOf: Readonly<Record<IncidentAction, string>> = {
  trigger: 'monitoring.incident.triggered',
  acknowledge: 'monitoring.incident.acknowledged',
  resolve: 'monitoring.incident.resolved',
};

/**
 * Issues as incidents: the lifecycle follows status categories (to do: triggered, in progress:
 * acknowledged, done: resolved) compared with `change.previous`, so only a change of lifecycle
 * state or severity emits; comments become annotations.
 */
export function mapToMonitoring(change: JiraChange, mapping: ResolvedMapping, _now: Date): ConnectorResult {
  const excluded = filterOut(change, mapping.filter);
  if (excluded !== undefined) return skip(excluded);
  return change.entity === 'issue' ? mapIssue(change, mapping) : mapComment(change, mapping);
}

function mapIssue(change: IssueChange, mapping: ResolvedMapping): ConnectorResult {
  const previous = change.previous ?? null;
  const from = previous ? (lifecycleOf(previous, mapping) ?? null) : null;
  if (change.kind === 'deleted') {
    // A deleted issue closes its incident, unless it was already resolved.
    if (lifecycleOf(previous ?? change.issue, mapping) === 'resolved')
      return skip('deleted after it was resolved');
    return events(change, mapping, ['resolve'], { from, to: 'resolved', severityChanged: false });
  }
  const to = lifecycleOf(change.issue, mapping);
  if (to === undefined) return skip(`status ${change.issue.status.name} has no lifecycle state`);
  const severityChanged =
    previous !== null && severityOf(previous, mapping) !== severityOf(change.issue, mapping);
  const transition = { from, to, severityChanged };
  const actions = actionsFor(transition);
  if (actions.length === 0) {
    return skip(from === null ? 'first seen already resolved' : 'no lifecycle or severity change');
  }
  return events(change, mapping, actions, transition);
}

function events(
  change: IssueChange,
  mapping: ResolvedMapping,
  actions: readonly IncidentAction[],
  transition: Parameters<typeof actionsFor>[0],
): ConnectorResult {
  const input = {
    site: change.site,
    issue: change.issue,
    severity: severityOf(change.issue, mapping),
    time: new Date(change.version).toISOString(),
    transition,
    mapping,
  };
  const out: RelayEvent[] = actions.map((action) =>
    buildEvent(change, {
      connector: MONITORING,
      type: typeOf[action],
      topic: mapping.topic,
      data: incidentEvent(action, input),
    }),
  );
  return { kind: 'events', events: out };
}

function mapComment(change: CommentChange, mapping: ResolvedMapping): ConnectorResult {
  if (change.kind === 'deleted') return skip('a deleted comment leaves its annotation in place');
  const data = annotationEvent(change, new Date(change.version).toISOString());
  const event = buildEvent(change, {
    connector: MONITORING,
    type: 'monitoring.incident.annotated',
    topic: mapping.topic,
    data,
  });
  return { kind: 'events', events: [event] };
}

export const monitoringConnector: Connector<ResolvedMapping> = {
  name: MONITORING,
  map: mapToMonitoring,
  readsPrevious: true,
};

import type { LifecycleState } from '../config/connectors-config-schema.ts';
import type { ResolvedMapping } from '../config/resolve-field-names.ts';
import type { JiraIntent, TransitionCategory, TransitionTarget } from '../jira-intent.ts';
import {
  jiraStatusesMappedElsewhere,
  jiraStatusesMappedTo,
  splitStatusRefs,
} from '../reverse-status-mapping.ts';

/** `monitoring.incident.acknowledge` / `.resolve`: move the issue to that incident state. */
export interface MonitoringIncidentStateCommand {
  readonly type: 'monitoring.incident.acknowledge' | 'monitoring.incident.resolve';
  readonly issue: string;
}

/** `monitoring.incident.annotate`: a note on the incident becomes a comment on the issue. */
export interface MonitoringIncidentAnnotateCommand {
  readonly type: 'monitoring.incident.annotate';
  readonly issue: string;
  /** Plain text. */
  readonly body: string;
}

/** The data of the commands a monitoring tool sends, mapped back through its connector's settings. */
export type MonitoringCommandData = MonitoringIncidentStateCommand | MonitoringIncidentAnnotateCommand;

/** The incident state each command asks for, and the status category that gives it by default. */
const stateOf: Readonly<
  Record<MonitoringIncidentStateCommand['type'], { state: LifecycleState; category: TransitionCategory }>
> = {
  'monitoring.incident.acknowledge': { state: 'acknowledged', category: 'indeterminate' },
  'monitoring.incident.resolve': { state: 'resolved', category: 'done' },
};

/**
 * A monitoring command as a Jira intent, the reverse of `lifecycleOf`: acknowledge transitions to a
 * status whose incident state is `acknowledged`, resolve to one whose state is `resolved`. The
 * statuses the monitoring `statuses` mapping gives that state come first; failing those, any status
 * of the category that gives it (in progress, done), except statuses the mapping gives another
 * state. An annotation becomes a comment.
 */
export function monitoringCommandIntent(data: MonitoringCommandData, mapping: ResolvedMapping): JiraIntent {
  if (data.type === 'monitoring.incident.annotate') {
    return { kind: 'create-comment', issue: data.issue, body: { text: data.body, format: 'text' } };
  }
  const { state, category } = stateOf[data.type];
  return {
    kind: 'update-issue',
    issue: data.issue,
    fields: {},
    textFormat: 'text',
    transition: lifecycleTarget(state, category, mapping),
  };
}

function lifecycleTarget(
  state: LifecycleState,
  category: TransitionCategory,
  mapping: ResolvedMapping,
): TransitionTarget {
  const elsewhere = jiraStatusesMappedElsewhere(mapping, state);
  return {
    ...splitStatusRefs(jiraStatusesMappedTo(mapping, state)),
    category,
    ...(elsewhere.length === 0 ? {} : { exclude: splitStatusRefs(elsewhere) }),
    label: `incident state ${state}`,
  };
}

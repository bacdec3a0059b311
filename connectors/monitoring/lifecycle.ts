import type { LifecycleState } from '../config/connectors-config-schema.ts';
import type { ResolvedMapping } from '../config/resolve-field-names.ts';
import type { IssueSnapshot, StatusCategory } from '../jira-change.ts';
import { mappedStatus } from '../mapping-lookups.ts';

const byCategory: Readonly<Record<StatusCategory, LifecycleState | undefined>> = {
  new: 'triggered',
  indeterminate: 'acknowledged',
  done: 'resolved',
  undefined: undefined,
};

/** The incident state of an issue: the status mapping when it names the status, else its category. */
export function lifecycleOf(issue: IssueSnapshot, mapping: ResolvedMapping): LifecycleState | undefined {
  return (mappedStatus(issue, mapping) as LifecycleState | undefined) ?? byCategory[issue.status.category];
}

export type IncidentAction = 'trigger' | 'acknowledge' | 'resolve';

export interface Transition {
  readonly from: LifecycleState | null;
  readonly to: LifecycleState;
  readonly severityChanged: boolean;
}

/**
 * The PagerDuty actions that move a sink from the previous state to the current one, in order.
 * Nothing when neither state nor severity changed. A trigger (re)opens or updates the alert, so it
 * also carries a severity change; an issue first seen in progress is triggered, then acknowledged;
 * one first seen done never was an incident here and yields nothing.
 */
export function actionsFor(t: Transition): IncidentAction[] {
  const opened = t.from !== null && t.from !== 'resolved';
  switch (t.to) {
    case 'resolved':
      return opened ? ['resolve'] : [];
    case 'triggered':
      return t.from !== 'triggered' || t.severityChanged ? ['trigger'] : [];
    case 'acknowledged': {
      const actions: IncidentAction[] = [];
      if (!opened || t.severityChanged) actions.push('trigger');
      if (t.from !== 'acknowledged') actions.push('acknowledge');
      return actions;
    }
  }
}

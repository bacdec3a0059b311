import type { SimClock } from '../clock.ts';
import { findStatus, transitions } from '../data/catalog.ts';
import type { HistoryItem, SimIssue } from '../model.ts';

const resolution = (from: string | null, to: string | null): HistoryItem => ({
  field: 'resolution',
  fieldtype: 'jira',
  fieldId: 'resolution',
  from,
  fromString: from ? 'Done' : null,
  to,
  toString: to ? 'Done' : null,
});

/**
 * A workflow transition: the status item, plus a resolution item when the issue enters or leaves
 * the done category (Jira sets and clears the resolution with it). A string is the refusal.
 */
export function planTransition(
  issue: SimIssue,
  clock: SimClock,
  transitionId: string,
): { items: HistoryItem[]; apply: () => void } | string {
  const t = transitions.find((x) => x.id === transitionId);
  const to = t ? findStatus(t.toStatusId) : undefined;
  if (!to) return `Transition id '${transitionId}' is not valid for this issue.`;
  const from = findStatus(issue.statusId);
  const items: HistoryItem[] = [
    {
      field: 'status',
      fieldtype: 'jira',
      fieldId: 'status',
      from: issue.statusId,
      fromString: from?.name ?? null,
      to: to.id,
      toString: to.name,
    },
  ];
  const resolving = to.category.key === 'done' && issue.resolutionDate === null;
  const reopening = to.category.key !== 'done' && issue.resolutionDate !== null;
  if (resolving) items.push(resolution(null, '10000'));
  if (reopening) items.push(resolution('10000', null));
  return {
    items,
    apply: () => {
      issue.statusId = to.id;
      if (resolving) issue.resolutionDate = clock.now();
      if (reopening) issue.resolutionDate = null;
    },
  };
}

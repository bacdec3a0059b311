import { describe, expect, it } from 'vitest';
import type { StatusCategory } from '../../../../connectors/jira-change.ts';
import type { JiraIntent, TransitionTarget } from '../../../../connectors/jira-intent.ts';
import { lifecycleOf } from '../../../../connectors/monitoring/lifecycle.ts';
import { monitoringCommandIntent } from '../../../../connectors/monitoring/monitoring-command.ts';
import { issue } from '../../../helpers/connector-fixtures.ts';
import { defaultMappings, exampleMappings } from '../command-mappings.ts';

function transitionOf(intent: JiraIntent): TransitionTarget {
  if (intent.kind !== 'update-issue' || !intent.transition) throw new Error(JSON.stringify(intent));
  return intent.transition;
}

const acknowledge = { type: 'monitoring.incident.acknowledge', issue: 'OPS-7' } as const;
const resolve = { type: 'monitoring.incident.resolve', issue: 'OPS-7' } as const;

describe('monitoring commands with the example connectors file', () => {
  const { monitoring } = exampleMappings;

  it('acknowledge: the mapped statuses, else In Progress ones the mapping gives no other state', () => {
    expect(monitoringCommandIntent(acknowledge, monitoring)).toEqual({
      kind: 'update-issue',
      issue: 'OPS-7',
      fields: {},
      textFormat: 'text',
      transition: {
        ids: [],
        names: ['monitoring fix'],
        category: 'indeterminate',
        exclude: { ids: [], names: ['cancelled'] },
        label: 'incident state acknowledged',
      },
    });
  });

  it('resolve: the mapped statuses, else Done ones the mapping gives no other state', () => {
    expect(transitionOf(monitoringCommandIntent(resolve, monitoring))).toEqual({
      ids: [],
      names: ['cancelled'],
      category: 'done',
      exclude: { ids: [], names: ['monitoring fix'] },
      label: 'incident state resolved',
    });
  });

  it('reads back what the connector publishes: every qualifying status has the asked state', () => {
    const categories: StatusCategory[] = ['new', 'indeterminate', 'done'];
    for (const [command, state] of [
      [acknowledge, 'acknowledged'],
      [resolve, 'resolved'],
    ] as const) {
      const target = transitionOf(monitoringCommandIntent(command, monitoring));
      for (const name of target.names) {
        for (const category of categories) {
          expect(lifecycleOf(issue({ status: { name, category } }), monitoring)).toBe(state);
        }
      }
      const byCategory = issue({ status: { name: 'Some status', category: target.category ?? 'undefined' } });
      expect(lifecycleOf(byCategory, monitoring)).toBe(state);
      for (const name of target.exclude?.names ?? []) {
        const excluded = issue({ status: { name, category: target.category ?? 'undefined' } });
        expect(lifecycleOf(excluded, monitoring)).not.toBe(state);
      }
    }
  });

  it('annotate: a plain-text comment', () => {
    const intent = monitoringCommandIntent(
      { type: 'monitoring.incident.annotate', issue: 'OPS-7', body: 'Back to normal.' },
      monitoring,
    );
    expect(intent).toEqual({
      kind: 'create-comment',
      issue: 'OPS-7',
      body: { text: 'Back to normal.', format: 'text' },
    });
  });
});

describe('monitoring commands with the default connectors file (no status mapping)', () => {
  it('go by status category alone', () => {
    const { monitoring } = defaultMappings;
    expect(transitionOf(monitoringCommandIntent(acknowledge, monitoring))).toEqual({
      ids: [],
      names: [],
      category: 'indeterminate',
      label: 'incident state acknowledged',
    });
    expect(transitionOf(monitoringCommandIntent(resolve, monitoring))).toEqual({
      ids: [],
      names: [],
      category: 'done',
      label: 'incident state resolved',
    });
  });
});

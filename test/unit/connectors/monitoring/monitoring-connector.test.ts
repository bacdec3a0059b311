import { describe, expect, it } from 'vitest';
import type { IssueSnapshot, StatusCategory } from '../../../../connectors/jira-change.ts';
import { mapToMonitoring } from '../../../../connectors/monitoring/monitoring-connector.ts';
import type { ConnectorResult } from '../../../../connectors/relay-event.ts';
import { commentChange, issue, issueChange, mapping, t0 } from '../../../helpers/connector-fixtures.ts';

const now = new Date('2030-01-01T00:00:00.000Z');
const m = mapping({ topic: 'jira.monitoring.events', fields: { region: 'customfield_10051' } });

const statuses: Record<StatusCategory, IssueSnapshot['status']> = {
  new: { id: '1', name: 'To Do', category: 'new' },
  indeterminate: { id: '3', name: 'In Progress', category: 'indeterminate' },
  done: { id: '5', name: 'Done', category: 'done' },
  undefined: { id: '9', name: 'Limbo', category: 'undefined' },
};

const at = (category: StatusCategory, priority = 'High') =>
  issue({ status: statuses[category], priority: { name: priority } });

function types(result: ConnectorResult): string[] | string {
  return result.kind === 'events'
    ? result.events.map((e) => e.type.replace('dev.jirarelay.monitoring.incident.', ''))
    : `skip: ${result.reason}`;
}

function summaryOf(result: ConnectorResult): unknown {
  if (result.kind !== 'events') throw new Error(result.reason);
  const payload = result.events[0]?.data.payload;
  return typeof payload === 'object' && payload !== null && 'summary' in payload
    ? payload.summary
    : undefined;
}

describe('incident lifecycle from status categories', () => {
  it.each([
    ['first seen in To Do', undefined, at('new'), ['triggered']],
    ['first seen with a null previous', null, at('new'), ['triggered']],
    ['first seen in progress', null, at('indeterminate'), ['triggered', 'acknowledged']],
    ['first seen done', null, at('done'), 'skip: first seen already resolved'],
    ['work starts', at('new'), at('indeterminate'), ['acknowledged']],
    ['fixed from To Do', at('new'), at('done'), ['resolved']],
    ['fixed from in progress', at('indeterminate'), at('done'), ['resolved']],
    ['reopened to To Do', at('done'), at('new'), ['triggered']],
    ['reopened straight into progress', at('done'), at('indeterminate'), ['triggered', 'acknowledged']],
    ['moved back to To Do', at('indeterminate'), at('new'), ['triggered']],
    ['an edit that changes neither', at('new'), at('new'), 'skip: no lifecycle or severity change'],
    [
      'an edit while in progress',
      at('indeterminate'),
      at('indeterminate'),
      'skip: no lifecycle or severity change',
    ],
    ['an edit while done', at('done'), at('done'), 'skip: no lifecycle or severity change'],
    ['severity raised while triggered', at('new', 'Medium'), at('new', 'Highest'), ['triggered']],
    [
      'severity raised while acknowledged',
      at('indeterminate', 'Low'),
      at('indeterminate', 'High'),
      ['triggered'],
    ],
    [
      'severity and state change together',
      at('new', 'Low'),
      at('indeterminate', 'High'),
      ['triggered', 'acknowledged'],
    ],
    [
      'severity changes while done',
      at('done', 'Low'),
      at('done', 'High'),
      'skip: no lifecycle or severity change',
    ],
    [
      'a priority name change on the same severity',
      at('new', 'High'),
      at('new', 'high'),
      'skip: no lifecycle or severity change',
    ],
    ['a status without category', at('new'), at('undefined'), 'skip: status Limbo has no lifecycle state'],
    ['from a status without category', at('undefined'), at('new'), ['triggered']],
  ])('%s', (_name, previous, current, expected) => {
    const change = issueChange({ issue: current, ...(previous === undefined ? {} : { previous }) });
    expect(types(mapToMonitoring(change, m, now))).toEqual(expected);
  });

  it('lets the status mapping override the category', () => {
    const overriding = mapping({
      statuses: new Map([
        ['in review', 'resolved'],
        ['3', 'triggered'],
      ]),
    });
    const review = issue({ status: { name: 'In Review', category: 'indeterminate' } });
    expect(
      types(mapToMonitoring(issueChange({ previous: at('new'), issue: review }), overriding, now)),
    ).toEqual(['resolved']);
    expect(
      types(mapToMonitoring(issueChange({ previous: null, issue: at('indeterminate') }), overriding, now)),
    ).toEqual(['triggered']);
  });

  it('resolves the incident of a deleted issue once', () => {
    const deleted = (previous: IssueSnapshot | null, current = at('new')) =>
      types(mapToMonitoring(issueChange({ kind: 'deleted', previous, issue: current }), m, now));
    expect(deleted(at('indeterminate'))).toEqual(['resolved']);
    expect(deleted(null)).toEqual(['resolved']);
    expect(deleted(at('done'))).toBe('skip: deleted after it was resolved');
    expect(deleted(null, at('done'))).toBe('skip: deleted after it was resolved');
  });
});

describe('PagerDuty Events v2 data', () => {
  it('triggers with summary, source, severity, component, group, class, details and links', () => {
    const result = mapToMonitoring(issueChange({ kind: 'created', previous: null }), m, now);
    if (result.kind !== 'events') throw new Error(result.reason);
    const [event] = result.events;
    expect(event?.topic).toBe('jira.monitoring.events');
    expect(event?.data).toEqual({
      event_action: 'trigger',
      dedup_key: 'jira-relay:acme.atlassian.net:10042',
      payload: {
        summary: '[OPS-7] Checkout returns 502',
        source: 'acme.atlassian.net',
        severity: 'error',
        timestamp: new Date(t0).toISOString(),
        component: 'payments',
        group: 'OPS',
        class: 'Incident',
        custom_details: {
          issue_id: '10042',
          issue_key: 'OPS-7',
          status: 'To Do',
          status_category: 'new',
          priority: 'High',
          assignee: { accountId: 'acc-ann', displayName: 'Ann Ops' },
          reporter: { accountId: 'acc-bob', displayName: 'Bob Support' },
          labels: ['customer', 'p1'],
          components: ['payments', 'web'],
          description: 'Customers see a 502 on checkout.',
          transition: { from: null, to: 'triggered' },
          fields: { region: { value: 'EMEA' } },
        },
      },
      links: [{ href: 'https://acme.atlassian.net/browse/OPS-7', text: 'OPS-7 in Jira' }],
      client: 'Jira',
      client_url: 'https://acme.atlassian.net/browse/OPS-7',
    });
  });

  it('acknowledges and resolves with just the action and the dedup key', () => {
    const ack = mapToMonitoring(issueChange({ previous: at('new'), issue: at('indeterminate') }), m, now);
    const resolve = mapToMonitoring(
      issueChange({ previous: at('indeterminate'), issue: at('done') }),
      m,
      now,
    );
    expect(ack.kind === 'events' && ack.events[0]?.data).toEqual({
      event_action: 'acknowledge',
      dedup_key: 'jira-relay:acme.atlassian.net:10042',
    });
    expect(resolve.kind === 'events' && resolve.events[0]?.data).toEqual({
      event_action: 'resolve',
      dedup_key: 'jira-relay:acme.atlassian.net:10042',
    });
  });

  it('keeps one dedup key per issue across moves, and distinct ids per emitted action', () => {
    const before = mapToMonitoring(issueChange({ previous: null, issue: at('indeterminate') }), m, now);
    const moved = issue({ key: 'SRE-1', project: { id: '2', key: 'SRE' }, status: statuses.done });
    const after = mapToMonitoring(
      issueChange({ kind: 'moved', previous: at('indeterminate'), issue: moved }),
      m,
      now,
    );
    if (before.kind !== 'events' || after.kind !== 'events') throw new Error('expected events');
    const keys = [...before.events, ...after.events].map((e) => e.data.dedup_key);
    expect(new Set(keys).size).toBe(1);
    expect(new Set(before.events.map((e) => e.id)).size).toBe(2);
    expect(after.events[0]?.key).toBe('acme.atlassian.net:10042');
  });

  it('truncates long summaries to PagerDuty limits and leaves out a missing component', () => {
    const long = issue({ summary: 'x'.repeat(2000), components: [], description: 'y'.repeat(5000) });
    const result = mapToMonitoring(issueChange({ previous: null, issue: long }), m, now);
    if (result.kind !== 'events') throw new Error(result.reason);
    const payload = result.events[0]?.data.payload as Record<string, unknown>;
    expect((payload.summary as string).length).toBe(1024);
    expect(payload).not.toHaveProperty('component');
    expect(((payload.custom_details as Record<string, unknown>).description as string).length).toBe(4000);
  });
});

describe('annotations from comments', () => {
  it('annotates the incident with the comment in change-event shape', () => {
    const result = mapToMonitoring(commentChange(), m, now);
    if (result.kind !== 'events') throw new Error(result.reason);
    const [event] = result.events;
    expect(event?.type).toBe('dev.jirarelay.monitoring.incident.annotated');
    expect(event?.data).toEqual({
      dedup_key: 'jira-relay:acme.atlassian.net:10042',
      payload: {
        summary: '[OPS-7] Ann Ops: Rolled back the deploy. Watching errors.',
        source: 'acme.atlassian.net',
        timestamp: new Date(t0 + 5000).toISOString(),
        custom_details: {
          issue_id: '10042',
          issue_key: 'OPS-7',
          comment_id: '20001',
          author: { accountId: 'acc-ann', displayName: 'Ann Ops' },
          text: 'Rolled back the deploy.\nWatching errors.',
          public: true,
        },
      },
      links: [{ href: 'https://acme.atlassian.net/browse/OPS-7', text: 'OPS-7 in Jira' }],
    });
  });

  it('names the author by account id when no display name is known, and skips deletions', () => {
    const base = commentChange();
    const anonymous = commentChange({
      kind: 'updated',
      comment: { ...base.comment, author: { accountId: 'acc-x' } },
    });
    expect(summaryOf(mapToMonitoring(anonymous, m, now))).toMatch(/^\[OPS-7\] acc-x: /);
    const nobody = commentChange({ comment: { ...base.comment, author: null } });
    expect(summaryOf(mapToMonitoring(nobody, m, now))).toMatch(/^\[OPS-7\] someone: /);
    expect(mapToMonitoring(commentChange({ kind: 'deleted' }), m, now)).toEqual({
      kind: 'skip',
      reason: 'a deleted comment leaves its annotation in place',
    });
  });

  it('applies the filter to issues and comments alike', () => {
    const sre = mapping({ filter: { projects: new Set(['SRE']), issueTypes: new Set(), labels: new Set() } });
    expect(mapToMonitoring(issueChange(), sre, now).kind).toBe('skip');
    expect(mapToMonitoring(commentChange(), sre, now).kind).toBe('skip');
  });
});

import { describe, expect, it } from 'vitest';
import { mapToCrm } from '../../../../connectors/crm/crm-connector.ts';
import type { ConnectorResult, RelayEvent } from '../../../../connectors/relay-event.ts';
import { commentChange, issue, issueChange, mapping, t0 } from '../../../helpers/connector-fixtures.ts';

const now = new Date('2030-01-01T00:00:00.000Z');

function only(result: ConnectorResult): RelayEvent {
  if (result.kind !== 'events' || result.events.length !== 1) throw new Error(JSON.stringify(result));
  const [event] = result.events;
  if (!event) throw new Error('no event');
  return event;
}

const crmMapping = mapping({
  topic: 'jira.crm.events',
  fields: {
    customer: 'customfield_10050',
    region: 'customfield_10051',
    due: 'duedate',
    versions: 'fixVersions',
    parent: 'parent',
    empty: 'customfield_10052',
  },
  statuses: new Map([
    ['to do', 'open'],
    ['10003', 'working'],
    ['done', 'closed'],
  ]),
});

describe('CRM tickets from issues', () => {
  it('maps every ticket field of an issue, built-in fields beyond the ticket ones under `fields`', () => {
    const withDates = issue({ systemFields: { duedate: '2024-03-15', fixVersions: ['2.0', '2.1'] } });
    const event = only(mapToCrm(issueChange({ kind: 'created', issue: withDates }), crmMapping, now));
    expect(event.type).toBe('dev.jirarelay.crm.ticket.upserted');
    expect(event.topic).toBe('jira.crm.events');
    expect(event.data).toEqual({
      id: '10042',
      key: 'OPS-7',
      url: 'https://acme.atlassian.net/browse/OPS-7',
      project: { id: '10000', key: 'OPS', name: 'Operations' },
      issueType: 'Incident',
      title: 'Checkout returns 502',
      description: 'Customers see a 502 on checkout.',
      status: 'open',
      jiraStatus: 'To Do',
      statusCategory: 'new',
      priority: 'High',
      severity: 'error',
      assignee: { accountId: 'acc-ann', displayName: 'Ann Ops' },
      reporter: { accountId: 'acc-bob', displayName: 'Bob Support' },
      labels: ['customer', 'p1'],
      components: ['payments', 'web'],
      customer: 'Globex Corp',
      organization: null,
      // No parent on this issue: null, as for the custom field without a value.
      fields: {
        region: { value: 'EMEA' },
        due: '2024-03-15',
        versions: ['2.0', '2.1'],
        parent: null,
        empty: null,
      },
      created: '2024-03-01T09:00:00.000Z',
      updated: '2024-03-01T09:30:00.000Z',
    });
  });

  it('maps statuses many-to-one by name or id, and keeps Jira names no list gives', () => {
    const status = (s: { id?: string; name: string; category: 'new' | 'indeterminate' | 'done' }) =>
      only(mapToCrm(issueChange({ issue: issue({ status: s }) }), crmMapping, now)).data.status;
    expect(status({ id: '10003', name: 'In Review', category: 'indeterminate' })).toBe('working');
    expect(status({ name: 'DONE', category: 'done' })).toBe('closed');
    expect(status({ name: 'Waiting', category: 'indeterminate' })).toBe('Waiting');
  });

  it('takes severity from the priority, else the default', () => {
    const severity = (priority: { id?: string; name: string } | null) =>
      only(mapToCrm(issueChange({ issue: issue({ priority }) }), crmMapping, now)).data.severity;
    expect(severity({ name: 'Highest' })).toBe('critical');
    expect(severity({ name: 'Someday' })).toBe('warning');
    expect(severity(null)).toBe('warning');
  });

  it('reads an organization from a mapped field, and system fields by id', () => {
    const m = mapping({
      fields: { organization: 'customfield_10050', title2: 'summary', who: 'assignee', tags: 'labels' },
    });
    const data = only(mapToCrm(issueChange(), m, now)).data;
    expect(data.organization).toBe('Globex Corp');
    expect(data.customer).toBeNull();
    expect(data.fields).toEqual({
      title2: 'Checkout returns 502',
      who: { accountId: 'acc-ann', displayName: 'Ann Ops' },
      tags: ['customer', 'p1'],
    });
  });

  it('passes Markdown through when normalization made it, and a moved issue its old key', () => {
    const change = issueChange({
      kind: 'moved',
      previousKey: 'SUP-3',
      issue: issue({ descriptionMarkdown: '**bold**', assignee: null }),
    });
    const data = only(mapToCrm(change, crmMapping, now)).data;
    expect(data.descriptionMarkdown).toBe('**bold**');
    expect(data.previousKey).toBe('SUP-3');
    expect(data.assignee).toBeNull();
  });

  it('deletes tickets with the deletion time', () => {
    const event = only(mapToCrm(issueChange({ kind: 'deleted', version: t0 + 60_000 }), crmMapping, now));
    expect(event.type).toBe('dev.jirarelay.crm.ticket.deleted');
    expect(event.data).toEqual({ id: '10042', key: 'OPS-7', deletedAt: '2024-03-01T09:31:00.000Z' });
  });

  it('does not depend on the clock: the same change maps to the same events at any time', () => {
    const change = issueChange();
    expect(mapToCrm(change, crmMapping, new Date(0))).toEqual(mapToCrm(change, crmMapping, now));
  });
});

describe('CRM notes from comments', () => {
  it('maps author, text, visibility and a link to the comment', () => {
    const event = only(mapToCrm(commentChange(), crmMapping, now));
    expect(event.type).toBe('dev.jirarelay.crm.note.upserted');
    expect(event.key).toBe('acme.atlassian.net:10042');
    expect(event.data).toEqual({
      id: '20001',
      ticketId: '10042',
      ticketKey: 'OPS-7',
      url: 'https://acme.atlassian.net/browse/OPS-7?focusedCommentId=20001',
      author: { accountId: 'acc-ann', displayName: 'Ann Ops' },
      text: 'Rolled back the deploy.\nWatching errors.',
      public: true,
      created: '2024-03-01T09:30:05.000Z',
      updated: '2024-03-01T09:30:05.000Z',
    });
  });

  it('marks internal comments and keeps their Markdown', () => {
    const base = commentChange();
    const change = commentChange({
      kind: 'updated',
      comment: { ...base.comment, public: false, bodyMarkdown: '_x_', author: null },
    });
    const data = only(mapToCrm(change, crmMapping, now)).data;
    expect(data.public).toBe(false);
    expect(data.textMarkdown).toBe('_x_');
    expect(data.author).toBeNull();
  });

  it('deletes notes', () => {
    const event = only(mapToCrm(commentChange({ kind: 'deleted', version: t0 + 9000 }), crmMapping, now));
    expect(event.type).toBe('dev.jirarelay.crm.note.deleted');
    expect(event.data).toEqual({
      id: '20001',
      ticketId: '10042',
      ticketKey: 'OPS-7',
      deletedAt: '2024-03-01T09:30:09.000Z',
    });
  });
});

describe('the filter', () => {
  const filtered = (filter: Partial<ReturnType<typeof mapping>['filter']>) =>
    mapping({ filter: { projects: new Set(), issueTypes: new Set(), labels: new Set(), ...filter } });

  it.each([
    ['another project', { projects: new Set(['SUP']) }, 'project OPS is not in the filter'],
    ['another issue type', { issueTypes: new Set(['bug']) }, 'issue type Incident is not in the filter'],
    ['no label of the filter', { labels: new Set(['vip']) }, 'no label of the filter on the issue'],
  ])('skips an issue of %s', (_name, filter, reason) => {
    expect(mapToCrm(issueChange(), filtered(filter), now)).toEqual({ kind: 'skip', reason });
  });

  it('takes an issue matching every criterion: project, type by name or id, one label', () => {
    const m = filtered({
      projects: new Set(['OPS']),
      issueTypes: new Set(['10004']),
      labels: new Set(['p1', 'x']),
    });
    expect(mapToCrm(issueChange(), m, now).kind).toBe('events');
    const byName = filtered({ issueTypes: new Set(['incident']) });
    expect(mapToCrm(issueChange(), byName, now).kind).toBe('events');
  });

  it('filters comments by the project in their key when the payload has no project', () => {
    const change = commentChange({ issue: { id: '10042', key: 'OPS-7' } });
    expect(mapToCrm(change, filtered({ projects: new Set(['OPS']) }), now).kind).toBe('events');
    expect(mapToCrm(change, filtered({ projects: new Set(['SUP']) }), now)).toEqual({
      kind: 'skip',
      reason: 'project OPS is not in the filter',
    });
  });

  it('filters comments by type and labels from the issue snapshot, and skips when it is missing', () => {
    const labels = filtered({ labels: new Set(['customer']) });
    const types = filtered({ issueTypes: new Set(['incident']) });
    expect(mapToCrm(commentChange(), labels, now)).toEqual({
      kind: 'skip',
      reason: 'labels unknown for this change; the filter needs them',
    });
    expect(mapToCrm(commentChange(), types, now)).toEqual({
      kind: 'skip',
      reason: 'issue type unknown for this change; the filter needs it',
    });
    expect(mapToCrm(commentChange({ issueSnapshot: issue() }), labels, now).kind).toBe('events');
    expect(mapToCrm(commentChange({ issueSnapshot: issue() }), types, now).kind).toBe('events');
    expect(
      mapToCrm(commentChange({ issue: { id: '10042', key: 'OPS-7', issueType: 'Incident' } }), types, now)
        .kind,
    ).toBe('events');
  });
});

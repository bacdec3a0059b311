import { describe, expect, it } from 'vitest';
import { crmCommandIntent } from '../../../../connectors/crm/crm-command.ts';
import type { JiraIntent, TransitionTarget } from '../../../../connectors/jira-intent.ts';
import { mappedStatus } from '../../../../connectors/mapping-lookups.ts';
import { issue } from '../../../helpers/connector-fixtures.ts';
import { defaultMappings, exampleMappings } from '../command-mappings.ts';

function transitionOf(intent: JiraIntent): TransitionTarget {
  if (intent.kind !== 'update-issue' || !intent.transition) throw new Error(JSON.stringify(intent));
  return intent.transition;
}

const crm = exampleMappings.crm;
const update = (changes: Record<string, string>) =>
  crmCommandIntent({ type: 'crm.ticket.update', issue: 'OPS-7', ...changes }, crm);

describe('crm.ticket.update with the example connectors file', () => {
  it('turns a CRM status into a transition to every Jira status mapped to it', () => {
    expect(update({ status: 'closed' })).toEqual({
      kind: 'update-issue',
      issue: 'OPS-7',
      fields: {},
      textFormat: 'text',
      transition: {
        ids: [],
        names: ['done', 'closed', 'resolved', "won't do"],
        label: 'CRM status "closed"',
      },
    });
  });

  it('reads back what ticket events show: each candidate maps forward to the same CRM status', () => {
    for (const status of ['open', 'pending', 'in_progress', 'closed']) {
      const { names } = transitionOf(update({ status }));
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) {
        expect(mappedStatus(issue({ status: { name, category: 'indeterminate' } }), crm)).toBe(status);
      }
    }
  });

  it('matches a CRM status ignoring case', () => {
    expect(transitionOf(update({ status: 'In_Progress' }))).toMatchObject({
      names: ['in progress', 'in review'],
      label: 'CRM status "in_progress"',
    });
  });

  it('takes a status the mapping does not name as a Jira status name, and lists the CRM statuses', () => {
    expect(transitionOf(update({ status: 'Triage' }))).toEqual({
      ids: [],
      names: ['Triage'],
      label: 'Jira status "Triage" (CRM statuses: open, pending, in_progress, closed)',
    });
    expect(transitionOf(update({ status: '10003' }))).toMatchObject({ ids: ['10003'], names: [] });
  });

  it('maps title, description and priority to Jira fields, with ifUpdated', () => {
    const intent = update({
      title: 'Checkout fixed',
      description: 'Rolled back.\n\nWatching.',
      priority: 'Low',
      ifUpdated: '2024-03-01T09:30:00.000+0000',
    });
    expect(intent).toEqual({
      kind: 'update-issue',
      issue: 'OPS-7',
      fields: {
        summary: 'Checkout fixed',
        description: 'Rolled back.\n\nWatching.',
        priority: { name: 'Low' },
      },
      textFormat: 'text',
      ifUpdated: '2024-03-01T09:30:00.000+0000',
    });
  });

  it('clears the description for an empty or blank one', () => {
    for (const description of ['', '  \n']) {
      expect(update({ description })).toMatchObject({ fields: { description: null } });
    }
  });

  it('carries a status and other changes in one intent', () => {
    const intent = update({ status: 'pending', title: 'Waiting on customer' });
    expect(intent).toMatchObject({
      fields: { summary: 'Waiting on customer' },
      transition: { label: 'CRM status "pending"' },
    });
  });
});

describe('crm.ticket.update with the default connectors file (no status mapping)', () => {
  it('takes every status as a Jira status name', () => {
    expect(
      transitionOf(
        crmCommandIntent({ type: 'crm.ticket.update', issue: '10042', status: 'Done' }, defaultMappings.crm),
      ),
    ).toEqual({
      ids: [],
      names: ['Done'],
      label: 'Jira status "Done"',
    });
  });
});

describe('crm.note.create', () => {
  it('becomes a plain-text comment that keeps the public flag when given', () => {
    for (const mapping of [crm, defaultMappings.crm]) {
      expect(
        crmCommandIntent(
          { type: 'crm.note.create', issue: 'OPS-7', body: 'Refund approved.', public: false },
          mapping,
        ),
      ).toEqual({
        kind: 'create-comment',
        issue: 'OPS-7',
        body: { text: 'Refund approved.', format: 'text' },
        public: false,
      });
      const intent = crmCommandIntent(
        { type: 'crm.note.create', issue: 'OPS-7', body: 'Called back.' },
        mapping,
      );
      expect('public' in intent).toBe(false);
    }
  });
});

import type { CommandType } from '../../../../src/commands/command.ts';

/** A command's data that both the zod schema and the JSON Schema refuse, and the field named. */
export interface InvalidSample {
  readonly data: unknown;
  /** The `field` parseCommandMessage reports for it. */
  readonly field: string;
}

const long = (n: number) => 'x'.repeat(n);

const ifUpdated = {
  valid: ['2024-03-01T09:30:00.000+0000', '2024-03-01T09:30:00Z', '2024-03-01T09:30:00.123456+05:30'],
  invalid: ['2024-03-01', '2024-03-01T09:30:00', '2024-13-01T09:30:00Z', 'yesterday', '2024-03-01 09:30:00Z'],
};

/** Samples per type: what a sender may send, and mistakes a sender makes. */
export const commandSamples: Record<CommandType, { valid: unknown[]; invalid: InvalidSample[] }> = {
  'jira.issue.create': {
    valid: [
      { project: 'OPS', issueType: 'Incident', fields: { summary: 'Checkout returns 502' } },
      { project: '10000', issueType: '10004', fields: {}, format: 'markdown', connector: 'crm' },
      { project: 'OPS_2', issueType: 'Service Request', fields: { 'Story Points': 3, labels: ['a'] } },
    ],
    invalid: [
      { data: { issueType: 'Bug', fields: {} }, field: 'data.project' },
      { data: { project: 'ops', issueType: 'Bug', fields: {} }, field: 'data.project' },
      { data: { project: 'OPS', issueType: ' ', fields: {} }, field: 'data.issueType' },
      { data: { project: 'OPS', issueType: 'Bug', fields: [] }, field: 'data.fields' },
      { data: { project: 'OPS', issueType: 'Bug', fields: { '': 1 } }, field: 'data.fields[""]' },
      { data: { project: 'OPS', issueType: 'Bug', fields: {}, format: 'html' }, field: 'data.format' },
      { data: { project: 'OPS', issueType: 'Bug', fields: {}, connector: 'slack' }, field: 'data.connector' },
      { data: { project: 'OPS', issueType: 'Bug', fields: {}, summary: 'x' }, field: 'data.summary' },
    ],
  },
  'jira.issue.update': {
    valid: [
      { issue: 'OPS-7', fields: { summary: 'New title' } },
      { issue: '10042', fields: { customfield_10050: null }, ifUpdated: ifUpdated.valid[0] },
      {
        issue: 'OPS-7',
        fields: { description: '**bold**' },
        format: 'markdown',
        ifUpdated: ifUpdated.valid[2],
      },
    ],
    invalid: [
      { data: { issue: 'OPS-7', fields: {} }, field: 'data.fields' },
      { data: { issue: 'OPS-0', fields: { a: 1 } }, field: 'data.issue' },
      { data: { issue: 'OPS', fields: { a: 1 } }, field: 'data.issue' },
      { data: { issue: 7, fields: { a: 1 } }, field: 'data.issue' },
      ...ifUpdated.invalid.map((time) => ({
        data: { issue: 'OPS-7', fields: { a: 1 }, ifUpdated: time },
        field: 'data.ifUpdated',
      })),
      { data: { issue: 'OPS-7', fields: { a: 1 }, ifupdated: ifUpdated.valid[0] }, field: 'data.ifupdated' },
    ],
  },
  'jira.issue.transition': {
    valid: [
      { issue: 'OPS-7', to: 'In Progress' },
      { issue: 'OPS-7', to: '31', ifUpdated: ifUpdated.valid[1], connector: 'monitoring' },
    ],
    invalid: [
      { data: { issue: 'OPS-7' }, field: 'data.to' },
      { data: { issue: 'OPS-7', to: '' }, field: 'data.to' },
      { data: { issue: 'OPS-7', to: 'Done\nNow' }, field: 'data.to' },
      { data: { issue: 'OPS-7', to: long(256) }, field: 'data.to' },
      { data: { issue: 'OPS-7', to: { name: 'Done' } }, field: 'data.to' },
    ],
  },
  'jira.comment.create': {
    valid: [
      { issue: 'OPS-7', body: 'Seen on our side too.' },
      { issue: 'OPS-7', body: '# Heading\n\n- a\n- b', format: 'markdown' },
      { issue: 'OPS-7', body: long(32_768), format: 'text' },
    ],
    invalid: [
      { data: { issue: 'OPS-7', body: '' }, field: 'data.body' },
      { data: { issue: 'OPS-7', body: ' \n\t' }, field: 'data.body' },
      { data: { issue: 'OPS-7', body: long(32_769) }, field: 'data.body' },
      { data: { issue: 'OPS-7' }, field: 'data.body' },
      { data: { body: 'hi' }, field: 'data.issue' },
    ],
  },
  'jira.comment.update': {
    valid: [{ issue: 'OPS-7', commentId: '10100', body: 'Edited.' }],
    invalid: [
      { data: { issue: 'OPS-7', commentId: 10100, body: 'x' }, field: 'data.commentId' },
      { data: { issue: 'OPS-7', commentId: 'abc', body: 'x' }, field: 'data.commentId' },
      { data: { issue: 'OPS-7', commentId: '010', body: 'x' }, field: 'data.commentId' },
    ],
  },
  'jira.comment.delete': {
    valid: [{ issue: 'OPS-7', commentId: '10100' }],
    invalid: [
      { data: { issue: 'OPS-7' }, field: 'data.commentId' },
      { data: { issue: 'OPS-7', commentId: '10100', body: 'x' }, field: 'data.body' },
    ],
  },
  'crm.ticket.update': {
    valid: [
      { issue: 'OPS-7', status: 'closed' },
      { issue: 'OPS-7', title: 'Renamed', priority: 'High', ifUpdated: ifUpdated.valid[0] },
      { issue: 'OPS-7', description: '' },
    ],
    invalid: [
      { data: { issue: 'OPS-7' }, field: 'data' },
      { data: { issue: 'OPS-7', ifUpdated: ifUpdated.valid[0] }, field: 'data' },
      { data: { issue: 'OPS-7', status: '' }, field: 'data.status' },
      { data: { issue: 'OPS-7', title: long(256) }, field: 'data.title' },
      { data: { issue: 'OPS-7', description: long(32_769) }, field: 'data.description' },
      { data: { issue: 'OPS-7', status: 'closed', connector: 'crm' }, field: 'data.connector' },
    ],
  },
  'crm.note.create': {
    valid: [
      { issue: 'OPS-7', body: 'Customer called back.' },
      { issue: 'OPS-7', body: 'Internal: refund approved.', public: false },
    ],
    invalid: [
      { data: { issue: 'OPS-7', body: 'x', public: 'no' }, field: 'data.public' },
      { data: { issue: 'OPS-7', body: 'x', format: 'markdown' }, field: 'data.format' },
    ],
  },
  'monitoring.incident.acknowledge': {
    valid: [{ issue: 'OPS-7' }, { issue: '10042' }],
    invalid: [
      { data: {}, field: 'data.issue' },
      { data: { issue: 'OPS-7', by: 'pd' }, field: 'data.by' },
    ],
  },
  'monitoring.incident.resolve': {
    valid: [{ issue: 'OPS-7' }],
    invalid: [{ data: { issue: null }, field: 'data.issue' }],
  },
  'monitoring.incident.annotate': {
    valid: [{ issue: 'OPS-7', body: 'Error rate back to normal.' }],
    invalid: [
      { data: { issue: 'OPS-7', body: '   ' }, field: 'data.body' },
      { data: { issue: 'OPS-7', body: 'x', public: true }, field: 'data.public' },
    ],
  },
};

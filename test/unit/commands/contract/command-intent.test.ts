import { describe, expect, it } from 'vitest';
import type { CommandData } from '../../../../src/commands/command.ts';
import { commandIntent } from '../../../../src/commands/contract/command-intent.ts';
import { jiraCommandIntent } from '../../../../src/commands/contract/jira-command-intent.ts';
import { defaultMappings, exampleMappings } from '../../connectors/command-mappings.ts';

describe('jiraCommandIntent', () => {
  it.each<[CommandData & { type: `jira.${string}` }, unknown]>([
    [
      {
        type: 'jira.issue.create',
        project: 'OPS',
        issueType: 'Incident',
        fields: { summary: 'x', description: '**y**' },
        format: 'markdown',
      },
      {
        kind: 'create-issue',
        project: 'OPS',
        issueType: 'Incident',
        fields: { summary: 'x', description: '**y**' },
        textFormat: 'markdown',
      },
    ],
    [
      { type: 'jira.issue.create', project: 'OPS', issueType: 'Incident', fields: {} },
      { kind: 'create-issue', project: 'OPS', issueType: 'Incident', fields: {}, textFormat: 'text' },
    ],
    [
      {
        type: 'jira.issue.update',
        issue: 'OPS-7',
        fields: { 'Story Points': 3 },
        ifUpdated: '2024-03-01T09:30:00Z',
      },
      {
        kind: 'update-issue',
        issue: 'OPS-7',
        fields: { 'Story Points': 3 },
        textFormat: 'text',
        ifUpdated: '2024-03-01T09:30:00Z',
      },
    ],
    [
      { type: 'jira.issue.transition', issue: 'OPS-7', to: 'In Progress' },
      {
        kind: 'update-issue',
        issue: 'OPS-7',
        fields: {},
        textFormat: 'text',
        transition: { ids: [], names: ['In Progress'], label: 'status "In Progress"' },
      },
    ],
    [
      { type: 'jira.issue.transition', issue: 'OPS-7', to: '31', ifUpdated: '2024-03-01T09:30:00Z' },
      {
        kind: 'update-issue',
        issue: 'OPS-7',
        fields: {},
        textFormat: 'text',
        transition: { ids: ['31'], names: [], label: 'status "31"' },
        ifUpdated: '2024-03-01T09:30:00Z',
      },
    ],
    [
      { type: 'jira.comment.create', issue: 'OPS-7', body: 'hi', format: 'markdown' },
      { kind: 'create-comment', issue: 'OPS-7', body: { text: 'hi', format: 'markdown' } },
    ],
    [
      { type: 'jira.comment.update', issue: 'OPS-7', commentId: '10100', body: 'hi', format: 'text' },
      { kind: 'update-comment', issue: 'OPS-7', commentId: '10100', body: { text: 'hi', format: 'text' } },
    ],
    [
      { type: 'jira.comment.delete', issue: 'OPS-7', commentId: '10100' },
      { kind: 'delete-comment', issue: 'OPS-7', commentId: '10100' },
    ],
  ])('%j', (data, intent) => {
    expect(jiraCommandIntent(data)).toEqual(intent);
  });
});

describe('commandIntent', () => {
  it('maps Jira-shaped commands without any connector', () => {
    expect(commandIntent({ type: 'jira.comment.delete', issue: 'OPS-7', commentId: '1' }, {})).toMatchObject({
      kind: 'delete-comment',
    });
  });

  it('maps connector-shaped commands through their connector', () => {
    const status = { type: 'crm.ticket.update', issue: 'OPS-7', status: 'closed' } as const;
    expect(commandIntent(status, exampleMappings)).toMatchObject({
      transition: { label: 'CRM status "closed"' },
    });
    expect(commandIntent(status, defaultMappings)).toMatchObject({ transition: { names: ['closed'] } });
    const resolve = { type: 'monitoring.incident.resolve', issue: 'OPS-7' } as const;
    expect(commandIntent(resolve, exampleMappings)).toMatchObject({ transition: { category: 'done' } });
  });

  it('refuses a connector-shaped command whose connector is not enabled', () => {
    expect(
      commandIntent(
        { type: 'crm.note.create', issue: 'OPS-7', body: 'x' },
        { monitoring: exampleMappings.monitoring },
      ),
    ).toEqual({
      error: 'crm.note.create needs the crm connector, which is not enabled in the connectors file',
    });
    expect(
      commandIntent(
        { type: 'monitoring.incident.annotate', issue: 'OPS-7', body: 'x' },
        { crm: exampleMappings.crm },
      ),
    ).toEqual({
      error:
        'monitoring.incident.annotate needs the monitoring connector, which is not enabled in the connectors file',
    });
  });
});

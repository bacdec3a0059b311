import { describe, expect, it } from 'vitest';
import { gateCommand } from '../../../src/commands/command-gate.ts';
import type { Connection } from '../../../src/connections/connection.ts';

const connection = (over: Partial<Connection>): Connection => ({
  id: 'c1',
  cloudId: 'cloud-1',
  siteUrl: 'https://acme.atlassian.net',
  siteHost: 'acme.atlassian.net',
  name: 'Acme',
  scopes: ['read:jira-work', 'write:jira-work'],
  accountIds: ['u1'],
  status: 'active',
  projectKeys: null,
  createdAt: 0,
  updatedAt: 0,
  ...over,
});

describe('gateCommand: may the relay write to the site', () => {
  it('lets an active connection with write:jira-work through', () => {
    expect(gateCommand('acme.atlassian.net', connection({}))).toMatchObject({ ok: true });
  });

  it('names why it refuses: no connection, paused, disconnected, needs consent, read-only', () => {
    const reason = (c: Connection | null) => {
      const answer = gateCommand('acme.atlassian.net', c);
      return answer.ok ? null : answer.reason;
    };
    expect(reason(null)).toBe('unknown site acme.atlassian.net: no connection');
    expect(reason(connection({ status: 'paused' }))).toBe('site acme.atlassian.net is paused');
    expect(reason(connection({ status: 'disconnected' }))).toBe('site acme.atlassian.net is disconnected');
    expect(reason(connection({ status: 'reauth_required' }))).toBe(
      'site acme.atlassian.net needs reauthorization',
    );
    expect(reason(connection({ scopes: ['read:jira-work'] }))).toContain('lacks write:jira-work');
  });
});

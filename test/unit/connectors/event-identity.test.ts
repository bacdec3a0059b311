import { describe, expect, it } from 'vitest';
import { buildEvent, eventId, eventKey, eventSource } from '../../../connectors/event-identity.ts';
import { EVENT_TYPE_PREFIX } from '../../../connectors/relay-event.ts';
import { commentChange, issueChange, t0 } from '../../helpers/connector-fixtures.ts';

const identity = {
  connector: 'crm',
  type: 'dev.jirarelay.crm.ticket.upserted',
  siteHost: 'acme.atlassian.net',
  entityId: '10042',
  version: t0,
};

describe('event identity', () => {
  it('gives the same id for the same (connector, type, site, entity, version), 32 hex digits', () => {
    expect(eventId(identity)).toBe(eventId({ ...identity }));
    expect(eventId(identity)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('gives a different id when any part differs', () => {
    const ids = new Set([
      eventId(identity),
      eventId({ ...identity, connector: 'monitoring' }),
      eventId({ ...identity, type: 'dev.jirarelay.crm.ticket.deleted' }),
      eventId({ ...identity, siteHost: 'globex.atlassian.net' }),
      eventId({ ...identity, entityId: '10043' }),
      eventId({ ...identity, version: t0 + 1 }),
    ]);
    expect(ids.size).toBe(6);
  });

  it('cannot be fooled by separators moving between parts', () => {
    expect(eventId({ ...identity, siteHost: 'a:b', entityId: 'c' })).not.toBe(
      eventId({ ...identity, siteHost: 'a', entityId: 'b:c' }),
    );
  });

  it('derives key and source from the site', () => {
    expect(eventKey('acme.atlassian.net', '10042')).toBe('acme.atlassian.net:10042');
    expect(eventSource('acme.atlassian.net')).toBe('https://acme.atlassian.net');
  });
});

describe('the event envelope', () => {
  const spec = { connector: 'crm', type: 'crm.ticket.upserted', topic: 'jira.crm.events', data: { a: 1 } };

  it('is the same for one change by webhook, by polling and on a retry', () => {
    const byWebhook = buildEvent(issueChange({ source: 'webhook', observedAt: t0 + 10 }), spec);
    const byPoll = buildEvent(issueChange({ source: 'poll', observedAt: t0 + 90_000 }), spec);
    expect(byPoll).toEqual(byWebhook);
  });

  it('carries the prefixed type, site source, issue key subject, change time and issue key', () => {
    expect(buildEvent(issueChange(), spec)).toEqual({
      id: eventId({ ...identity, type: `${EVENT_TYPE_PREFIX}crm.ticket.upserted` }),
      type: 'dev.jirarelay.crm.ticket.upserted',
      source: 'https://acme.atlassian.net',
      subject: 'OPS-7',
      time: '2024-03-01T09:30:00.000Z',
      dataschema: 'https://jirarelay.dev/schemas/events/crm.ticket.upserted.json',
      data: { a: 1 },
      topic: 'jira.crm.events',
      key: 'acme.atlassian.net:10042',
    });
  });

  it('keys comment events by their issue but identifies them by the comment', () => {
    const event = buildEvent(commentChange(), { ...spec, type: 'crm.note.upserted' });
    expect(event.dataschema).toBe('https://jirarelay.dev/schemas/events/crm.note.upserted.json');
    expect(event.key).toBe('acme.atlassian.net:10042');
    expect(event.subject).toBe('OPS-7');
    expect(event.id).toBe(
      eventId({
        ...identity,
        type: 'dev.jirarelay.crm.note.upserted',
        entityId: '20001',
        version: t0 + 5000,
      }),
    );
  });
});

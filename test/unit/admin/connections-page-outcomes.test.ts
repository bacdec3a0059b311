import { describe, expect, it } from 'vitest';
import { leverCall, leverOutcome } from '../../../src/admin/connections-page-outcomes.ts';
import type { Connection } from '../../../src/connections/connection.ts';

const connection = { id: 'c-1', siteHost: 'acme.atlassian.net' } as Connection;

describe('what a lever asks of the admin API', () => {
  it('sends the date a backfill or replay starts from; an empty one backfills from the beginning', () => {
    expect(leverCall('backfill', connection, '')).toEqual({
      method: 'POST',
      path: '/connections/:id/backfill',
      body: { from: null },
    });
    expect(leverCall('backfill', connection, '2024-01-31').body).toEqual({ from: '2024-01-31' });
    expect(leverCall('replay', connection, '2024-01-31')).toMatchObject({ path: '/connections/:id/replay' });
    expect(leverCall('pause', connection, '').path).toBe('/connections/:id/pause');
    expect(leverCall('connect-link', connection, '')).toEqual({
      method: 'POST',
      path: '/connect-links',
      body: { site: 'acme.atlassian.net' },
    });
    expect(leverCall('rotate-secret', connection, '').path).toBe('/connections/:id/webhook-secret');
  });
});

describe('what the operator is told afterwards', () => {
  it("passes on the API's reason when it refuses", () => {
    const outcome = leverOutcome('resync', 'acme.atlassian.net', '', {
      status: 409,
      body: { error: 'CONFLICT', message: 'the connection is paused' },
    });
    expect(outcome).toEqual({
      kind: 'flash',
      flash: { kind: 'error', text: 'Resync of acme.atlassian.net refused: the connection is paused' },
    });
  });

  it('says what happened when it acts', () => {
    const ok = { status: 202, body: { jobId: 'j' } };
    expect(leverOutcome('backfill', 'h', '', ok)).toMatchObject({
      flash: { kind: 'ok', text: 'Backfill of h from the beginning queued.' },
    });
    expect(leverOutcome('pause', 'h', '', { status: 200, body: {} })).toMatchObject({
      flash: { kind: 'ok', text: expect.stringMatching(/^Paused h:/) },
    });
  });

  it('shows a new secret and a connect link once, on a page of their own', () => {
    const secret = leverOutcome('rotate-secret', 'h', '', {
      status: 201,
      body: {
        secret: 'abc',
        url: 'https://relay/webhooks/jira/c-1',
        previousValidUntil: Date.UTC(2030, 0, 1),
      },
    });
    expect(secret.kind).toBe('shown-once');
    if (secret.kind === 'shown-once') {
      expect(secret.page).toContain('data-once>abc</p>');
      expect(secret.page).toContain('accepted until 2030-01-01T00:00:00.000Z');
    }
    const link = leverOutcome('connect-link', 'h', '', {
      status: 201,
      body: { url: 'https://relay/oauth/start?link=t&x=1', expiresAt: Date.UTC(2030, 0, 1) },
    });
    expect(link.kind === 'shown-once' && link.page).toContain('link=t&amp;x=1');
  });
});

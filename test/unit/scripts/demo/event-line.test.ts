import { describe, expect, it } from 'vitest';
import { eventLine } from '../../../../scripts/demo/event-line.ts';

const headers = (type: string, subject = 'OPS-7') => ({
  ce_time: '2024-06-01T10:00:00.123Z',
  ce_type: type,
  ce_subject: subject,
  ce_id: 'ignored',
});

describe('demo event line', () => {
  it('shows time, full type and subject in aligned columns, then the data fields that are set', () => {
    const line = eventLine(headers('dev.jirarelay.crm.ticket.upserted'), {
      key: 'OPS-7',
      title: 'Checkout is down',
      status: 'In Progress',
      priority: 'Highest',
      description: 'not shown',
      assignee: null,
    });
    expect(line).toBe(
      `2024-06-01 10:00:00Z  ${'dev.jirarelay.crm.ticket.upserted'.padEnd(44)} OPS-7     ` +
        'title="Checkout is down"  status="In Progress"  priority="Highest"',
    );
  });

  it('reads a monitoring event from its payload, and cuts a note to 40 characters', () => {
    const incident = eventLine(headers('dev.jirarelay.monitoring.incident.triggered'), {
      event_action: 'trigger',
      dedup_key: 'acme:10042',
      payload: { summary: 'Checkout is down', severity: 'critical' },
    });
    expect(incident).toMatch(/ OPS-7 +title="Checkout is down" {2}severity="critical" {2}action="trigger"$/);

    const note = eventLine(headers('dev.jirarelay.crm.note.upserted'), {
      text: 'Rolled back the last deploy; watching error rates closely.',
    });
    expect(note).toMatch(/ text="Rolled back the last deploy; watching er"$/);
  });

  it('shows a dead letter (no CloudEvent headers) by its error without failing', () => {
    const line = eventLine(
      {
        'content-type': 'application/json',
        'x-relay-queue': 'jira-changes',
        'x-relay-error-code': 'MAPPING_FAILED',
      },
      { queue: 'jira-changes', error: { code: 'MAPPING_FAILED', message: 'no such field' } },
    );
    expect(line).toBe(`  ${'(no type)'.padEnd(44)} ${''.padEnd(9)} error="no such field"`);
    expect(eventLine({}, {})).toBe(`  ${'(no type)'.padEnd(44)} ${''.padEnd(9)} `);
  });
});

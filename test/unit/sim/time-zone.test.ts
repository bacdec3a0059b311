import { describe, expect, it } from 'vitest';
import { formatJiraDate, offsetMinutes, zonedToUtc } from '../../sim/render/time-zone.ts';

describe('time zones', () => {
  it('knows daylight saving time', () => {
    expect(offsetMinutes(Date.UTC(2026, 0, 10), 'Europe/Warsaw')).toBe(60);
    expect(offsetMinutes(Date.UTC(2026, 6, 10), 'Europe/Warsaw')).toBe(120);
    expect(offsetMinutes(Date.UTC(2026, 6, 10), 'America/Los_Angeles')).toBe(-420);
    expect(offsetMinutes(Date.UTC(2026, 6, 10), 'Asia/Kolkata')).toBe(330);
  });

  it('converts wall-clock times to instants, across a DST change', () => {
    // 29 March 2026: Warsaw jumps from 02:00 to 03:00 (UTC+1 -> UTC+2).
    expect(zonedToUtc({ year: 2026, month: 3, day: 29, hour: 1, minute: 30 }, 'Europe/Warsaw')).toBe(
      Date.UTC(2026, 2, 29, 0, 30),
    );
    expect(zonedToUtc({ year: 2026, month: 3, day: 29, hour: 4, minute: 0 }, 'Europe/Warsaw')).toBe(
      Date.UTC(2026, 2, 29, 2, 0),
    );
  });

  it('formats dates like Jira: milliseconds and a colon-less offset', () => {
    const t = Date.UTC(2021, 0, 18, 23, 45, 0, 7);
    expect(formatJiraDate(t, 'UTC')).toBe('2021-01-18T23:45:00.007+0000');
    expect(formatJiraDate(t, 'America/New_York')).toBe('2021-01-18T18:45:00.007-0500');
    expect(formatJiraDate(t, 'Asia/Kolkata')).toBe('2021-01-19T05:15:00.007+0530');
  });
});

import { zonedToUtc } from '../render/time-zone.ts';
import { JqlError, type JqlValue } from './parse.ts';

/** An instant and the span it stands for (a minute for "yyyy/MM/dd HH:mm", a day for "yyyy/MM/dd"). */
export interface JqlInstant {
  readonly at: number;
  readonly span: number;
}

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Reads a JQL date value like Jira: bare numbers are epoch milliseconds; date strings have minute
 * (or day) granularity and are read in the time zone of the user running the search.
 */
export function parseJqlDate(value: JqlValue, field: string, timeZone: string, now: number): JqlInstant {
  const text = value.text.trim();
  if (value.fn) {
    if (text.toLowerCase() === 'now') return { at: now, span: 1 };
    throw new JqlError(`Error in the JQL Query: The function '${text}' is not supported by the simulator.`);
  }
  if (!value.quoted && /^\d+$/.test(text)) return { at: Number(text), span: 1 };
  const relative = /^([-+]?)((?:\s*\d+\s*[wdhm]?)+)$/.exec(text);
  if (relative && !/^\d{4}/.test(text)) {
    let ms = 0;
    for (const part of (relative[2] as string).matchAll(/(\d+)\s*([wdhm]?)/g)) {
      ms += Number(part[1]) * (UNIT_MS[part[2] || 'm'] as number);
    }
    return { at: now + (relative[1] === '-' ? -ms : ms), span: 60_000 };
  }
  const m = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?$/.exec(text);
  if (!m) {
    throw new JqlError(
      `Date value '${text}' for field '${field}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', ` +
        "'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.",
    );
  }
  const hasTime = m[4] !== undefined;
  const at = zonedToUtc(
    {
      year: Number(m[1]),
      month: Number(m[2]),
      day: Number(m[3]),
      hour: Number(m[4] ?? 0),
      minute: Number(m[5] ?? 0),
    },
    timeZone,
  );
  return { at, span: hasTime ? 60_000 : 86_400_000 };
}

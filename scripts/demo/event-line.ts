/**
 * One readable line per CloudEvent: time, full type, subject, a few data fields, and `ce_origin` when
 * a command's write caused it.
 */
export function eventLine(headers: Readonly<Record<string, string>>, data: Record<string, unknown>): string {
  const time = (headers.ce_time ?? '').replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  const type = headers.ce_type ?? '(no type)';
  const subject = headers.ce_subject ?? '';
  const origin = headers.ce_origin === undefined ? [] : [`origin=${headers.ce_origin}`];
  const fields = [...pick(data), ...origin].join('  ');
  return `${time}  ${type.padEnd(44)} ${subject.padEnd(9)} ${fields}`;
}

function pick(data: Record<string, unknown>): string[] {
  const payload = (data.payload ?? {}) as Record<string, unknown>;
  const out: string[] = [];
  const add = (name: string, value: unknown) => {
    if (value !== undefined && value !== null && value !== '') out.push(`${name}=${JSON.stringify(value)}`);
  };
  add('title', data.title ?? payload.summary);
  add('status', data.status);
  add('priority', data.priority);
  add('severity', data.severity ?? payload.severity);
  add('action', data.event_action);
  add('text', typeof data.text === 'string' ? data.text.slice(0, 40) : undefined);
  add('error', (data.error as { message?: string } | undefined)?.message);
  add('reason', data.reason);
  return out;
}

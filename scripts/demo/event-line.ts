/** One readable line per CloudEvent: time, full type, subject, and a few data fields. */
export function eventLine(headers: Record<string, string>, data: Record<string, unknown>): string {
  const time = (headers.ce_time ?? '').replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  const type = headers.ce_type ?? '(no type)';
  const subject = headers.ce_subject ?? '';
  const fields = pick(data).join('  ');
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
  return out;
}

import type { CommandMessage } from '../../../../src/commands/contract/parse-command.ts';

/** The headers of a valid `jira.issue.transition` command. */
export const validHeaders: Readonly<Record<string, string>> = {
  ce_specversion: '1.0',
  ce_id: 'crm-7f3a-0001',
  ce_source: 'https://crm.example.com',
  ce_type: 'dev.jirarelay.jira.issue.transition',
  ce_jirasite: 'acme.atlassian.net',
  ce_time: '2024-03-01T09:30:00.000Z',
  'content-type': 'application/json',
};

/**
 * A command message as kafkajs hands it over (Buffers), valid unless overridden: `headers` entries
 * set to undefined are left out, `type` is the suffix of `ce_type`.
 */
export function commandMessage(
  options: {
    type?: string;
    data?: unknown;
    headers?: Record<string, string | Buffer | (string | Buffer)[] | undefined>;
    key?: string | Buffer | null;
    value?: Buffer | string | null;
  } = {},
): CommandMessage {
  const headers: Record<string, Buffer | string | (Buffer | string)[]> = {};
  const merged = {
    ...validHeaders,
    ...(options.type === undefined ? {} : { ce_type: `dev.jirarelay.${options.type}` }),
    ...options.headers,
  };
  for (const [name, value] of Object.entries(merged)) {
    if (value !== undefined) headers[name] = typeof value === 'string' ? Buffer.from(value) : value;
  }
  const data = options.data ?? { issue: 'OPS-7', to: 'Done' };
  return {
    key: options.key === undefined ? Buffer.from('acme.atlassian.net:10042') : options.key,
    value: options.value === undefined ? Buffer.from(JSON.stringify(data)) : options.value,
    headers,
  };
}

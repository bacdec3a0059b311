import type { JiraUser, StatusCategory } from '../../connectors/jira-change.ts';
import { richTextToMarkdown, richTextToText, type TextOptions } from '../atlassian/text/rich-text.ts';

/** Loose view of Jira JSON: payloads are not trusted to follow any schema. */
export type Json = Readonly<Record<string, unknown>>;

export function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

export function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** A user in any era's shape: `accountId` (modern) or legacy `name`/`key` only. */
export function userFrom(value: unknown): JiraUser | null {
  const raw = record(value);
  const accountId = text(raw?.accountId) ?? text(raw?.key) ?? text(raw?.name);
  if (!raw || !accountId) return null;
  const displayName = text(raw.displayName);
  const emailAddress = text(raw.emailAddress);
  return {
    accountId,
    ...(displayName === undefined ? {} : { displayName }),
    ...(emailAddress === undefined ? {} : { emailAddress }),
  };
}

const categories: ReadonlySet<string> = new Set(['new', 'indeterminate', 'done', 'undefined']);

export function statusFrom(value: unknown): { id?: string; name: string; category: StatusCategory } {
  const raw = record(value);
  const key = text(record(raw?.statusCategory)?.key) ?? 'undefined';
  const id = text(raw?.id);
  return {
    ...(id === undefined ? {} : { id }),
    name: text(raw?.name) ?? 'Unknown',
    category: (categories.has(key) ? key : 'undefined') as StatusCategory,
  };
}

export function namedFrom(value: unknown): { id?: string; name: string } | null {
  const raw = record(value);
  const name = text(raw?.name);
  if (!raw || name === undefined) return null;
  const id = text(raw.id);
  return id === undefined ? { name } : { id, name };
}

export function stringList(value: unknown, pick: (item: unknown) => string | undefined = text): string[] {
  return Array.isArray(value) ? value.map(pick).filter((v): v is string => v !== undefined) : [];
}

/** Epoch ms of a Jira timestamp (`2021-01-18T23:45:00.000+0000` or ISO); undefined when unreadable. */
export function epochMs(value: unknown): number | undefined {
  const s = text(value);
  if (s === undefined) return undefined;
  const normalized = s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(normalized);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Display names by account id (and legacy user name) of every user a payload carries. */
export function mentionsFrom(...users: unknown[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const value of users) {
    const raw = record(value);
    const displayName = text(raw?.displayName);
    if (!raw || !displayName) continue;
    for (const id of [raw.accountId, raw.name, raw.key]) {
      const key = text(id);
      if (key) names.set(key, displayName);
    }
  }
  return names;
}

export interface RichTextOptions extends TextOptions {
  /** Also produce Markdown beside the plain text (TEXT_MARKDOWN). */
  readonly markdown: boolean;
}

export function plainText(value: unknown, opts: RichTextOptions): string | null {
  return richTextToText(value, opts);
}

export function markdownText(value: unknown, opts: RichTextOptions): string | null {
  return richTextToMarkdown(value, opts);
}

/**
 * A Jira entity id (issue, comment): digits only. Ids from bodies become parts of Redis keys, so
 * anything else is treated as missing rather than trusted.
 */
export function entityId(value: unknown): string | undefined {
  const id = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : text(value);
  return id !== undefined && /^\d{1,20}$/.test(id) ? id : undefined;
}

/** An issue key such as `OPS-12`; anything else is treated as missing. */
export function issueKey(value: unknown): string | undefined {
  const key = text(value);
  return key !== undefined && /^[A-Z][A-Z0-9_]{0,254}-\d{1,18}$/.test(key) ? key : undefined;
}

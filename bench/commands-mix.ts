import { randomUUID } from 'node:crypto';
import { prng } from '../test/helpers/prng.ts';
import type { BenchIssue } from './commands-stack.ts';

export const commandTypes = [
  'crm.note.create',
  'jira.comment.create',
  'jira.issue.update',
  'monitoring.incident.annotate',
  'crm.ticket.update',
  'jira.issue.transition',
  'jira.issue.create',
] as const;
export type CommandType = (typeof commandTypes)[number];
export type ConnectorName = 'crm' | 'monitoring';

/** Shares of the mix, in percent: comments and notes most, a few creates. */
export const mixWeights: Readonly<Record<CommandType, number>> = {
  'crm.note.create': 20,
  'jira.comment.create': 15,
  'jira.issue.update': 15,
  'monitoring.incident.annotate': 15,
  'crm.ticket.update': 12,
  'jira.issue.transition': 18,
  'jira.issue.create': 5,
};

/** `ce_source` of each sending system; Jira-shaped commands without `connector` come from an ops console. */
export const sources = {
  crm: 'urn:bench:crm',
  monitoring: 'urn:bench:pager',
  none: 'urn:bench:ops-console',
} as const;

const statuses = ['To Do', 'In Progress', 'In Review', 'Done'] as const;
const categoryOf = (status: string) =>
  status === 'To Do' ? 'new' : status === 'Done' ? 'done' : 'indeterminate';

/** A command as sent: what the echo accounting and the latency need to know about it. */
export interface SentCommand {
  readonly id: string;
  readonly type: CommandType;
  /** The connector whose system sent it (its echo is kept from that connector), or null. */
  readonly connector: ConnectorName | null;
  readonly source: string;
  readonly host: string;
  /** The Kafka message key: `{siteHost}:{issueKey}`, or `{siteHost}:new:{id}` for a create. */
  readonly key: string;
  /** A transition between status categories: the monitoring connector emits for those only. */
  readonly changesCategory: boolean;
  /** Epoch ms the command fell due (its `ce_time`). */
  readonly dueAt: number;
  readonly phase: string;
}

export interface CommandMessage {
  readonly command: Omit<SentCommand, 'dueAt' | 'phase'>;
  readonly data: Record<string, unknown>;
}

/**
 * A seeded stream of commands over existing issues, picked uniformly from every issue of both
 * sites (the message key is per issue, so a hot issue would run serially). Statuses are tracked as
 * sent: commands of one key apply in order, so a transition always names a status the issue is not in.
 */
export class CommandMix {
  readonly #issues: readonly BenchIssue[];
  readonly #status = new Map<string, string>();
  readonly #random: () => number;
  /** Commands per issue key, for the report's spread. */
  readonly perIssue = new Map<string, number>();
  #seq = 0;

  constructor(issues: readonly BenchIssue[], seed: number) {
    this.#issues = issues;
    this.#random = prng(seed);
    for (const issue of issues) this.#status.set(`${issue.host}:${issue.key}`, issue.status);
  }

  /** A type drawn by the mix's weights. */
  drawType(): CommandType {
    let left = this.#random() * 100;
    for (const type of commandTypes) {
      left -= mixWeights[type];
      if (left < 0) return type;
    }
    return 'crm.note.create';
  }

  next(type: CommandType = this.drawType()): CommandMessage {
    const seq = ++this.#seq;
    const id = randomUUID();
    const issue = this.#issues[Math.floor(this.#random() * this.#issues.length)] as BenchIssue;
    const jiraConnector = ([null, 'crm', 'monitoring'] as const)[seq % 3] ?? null;
    const connector: ConnectorName | null = type.startsWith('crm.')
      ? 'crm'
      : type.startsWith('monitoring.')
        ? 'monitoring'
        : jiraConnector;
    const source = sources[connector ?? 'none'];
    const named = type.startsWith('jira.') && connector !== null ? { connector } : {};
    const base = { id, type, connector, source, host: issue.host, changesCategory: false };
    if (type === 'jira.issue.create') {
      const data = { project: 'OPS', issueType: 'Task', fields: { summary: `Bench issue ${seq}` }, ...named };
      return { command: { ...base, key: `${issue.host}:new:${id}` }, data };
    }
    const key = `${issue.host}:${issue.key}`;
    this.perIssue.set(key, (this.perIssue.get(key) ?? 0) + 1);
    const command = { ...base, key };
    const ref = { issue: issue.key };
    switch (type) {
      case 'crm.note.create':
        return { command, data: { ...ref, body: `Customer called back about case ${seq}` } };
      case 'monitoring.incident.annotate':
        return { command, data: { ...ref, body: `Alert ${seq} fired again on checkout-api` } };
      case 'jira.comment.create':
        return { command, data: { ...ref, body: `Workaround ${seq}: restart the worker`, ...named } };
      case 'crm.ticket.update':
        return { command, data: { ...ref, title: `Ticket ${seq}: printer jams on tray 2` } };
      case 'jira.issue.update': {
        // Values of their own: an edit that changes nothing would answer with an earlier change's version.
        const fields =
          seq % 2 === 0 ? { summary: `Checkout slow, round ${seq}` } : { labels: ['bench', `round-${seq}`] };
        return { command, data: { ...ref, fields, ...named } };
      }
      default: {
        const from = this.#status.get(key) ?? 'To Do';
        const choices = statuses.filter((s) => s !== from);
        const to = choices[Math.floor(this.#random() * choices.length)] ?? 'Done';
        this.#status.set(key, to);
        const changesCategory = categoryOf(from) !== categoryOf(to);
        return { command: { ...command, changesCategory }, data: { ...ref, to, ...named } };
      }
    }
  }
}

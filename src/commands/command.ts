import type { CrmCommandData } from '../../connectors/crm/crm-command.ts';
import type { TextFormat } from '../../connectors/jira-intent.ts';
import type { MonitoringCommandData } from '../../connectors/monitoring/monitoring-command.ts';
import type { JsonObject, JsonValue } from '../../connectors/relay-event.ts';

/**
 * Two-way sync: what the relay reads from the commands topic, and what it answers on the results
 * topic (DESIGN.md, "Two-way sync (contract)"). Types are suffixes under EVENT_TYPE_PREFIX.
 */
export const commandTypes = [
  'jira.issue.create',
  'jira.issue.update',
  'jira.issue.transition',
  'jira.comment.create',
  'jira.comment.update',
  'jira.comment.delete',
  'crm.ticket.update',
  'crm.note.create',
  'monitoring.incident.acknowledge',
  'monitoring.incident.resolve',
  'monitoring.incident.annotate',
] as const;

export type CommandType = (typeof commandTypes)[number];

/** A text in a command: plain text (the default) or Markdown; becomes ADF in the command normalizer. */
export type { TextFormat };

/** The connectors whose systems send commands: a `jira.*` command may name one in `connector`. */
export const commandConnectors = ['crm', 'monitoring'] as const;
export type CommandConnector = (typeof commandConnectors)[number];

/**
 * The data of a Jira-shaped command. `format` (additive: absent means `text`) says how string values
 * of the rich-text fields `description` and `environment` are written.
 */
export type JiraCommandData =
  | {
      readonly type: 'jira.issue.create';
      readonly project: string;
      readonly issueType: string;
      readonly fields: JsonObject;
      readonly format?: TextFormat;
    }
  | {
      readonly type: 'jira.issue.update';
      readonly issue: string;
      readonly fields: JsonObject;
      readonly ifUpdated?: string;
      readonly format?: TextFormat;
    }
  | {
      readonly type: 'jira.issue.transition';
      readonly issue: string;
      readonly to: string;
      readonly ifUpdated?: string;
    }
  | {
      readonly type: 'jira.comment.create';
      readonly issue: string;
      readonly body: string;
      readonly format: TextFormat;
    }
  | {
      readonly type: 'jira.comment.update';
      readonly issue: string;
      readonly commentId: string;
      readonly body: string;
      readonly format: TextFormat;
    }
  | { readonly type: 'jira.comment.delete'; readonly issue: string; readonly commentId: string };

/** The data of a command, by type; connector-shaped shapes are owned by their connectors. */
export type CommandData = JiraCommandData | CrmCommandData | MonitoringCommandData;

/** A command read off Kafka whose envelope and data are valid. */
export interface Command {
  /** `ce_id`: the idempotency key. */
  readonly id: string;
  /** `ce_source`: the sending system. */
  readonly source: string;
  /** `ce_jirasite`: the target site's host, e.g. `acme.atlassian.net`. */
  readonly siteHost: string;
  /** `ce_time` in epoch ms, when given (the command latency is measured from it). */
  readonly time?: number;
  /** The connector whose system sent it: `crm`/`monitoring` from the type's prefix, or `connector` of a jira.* command. */
  readonly connector?: string;
  /** The Kafka message key (`{siteHost}:{issueId}` or `{siteHost}:new:{ref}`). */
  readonly key: string;
  readonly data: CommandData;
}

type CommandStatus = 'applied' | 'duplicate' | 'conflict' | 'invalid' | 'rejected' | 'failed';

/** The data of a `command.result` event. */
export interface CommandResult {
  readonly commandId: string;
  readonly status: CommandStatus;
  /** The issue the command acted on (key and id once known), or null. */
  readonly issue: { readonly id?: string; readonly key?: string } | null;
  /** What Jira answered (ids created, messages of a 4xx, the current version on a conflict...). */
  readonly jira: JsonValue;
  /** Jira write attempts made. */
  readonly attempts: number;
  /** Why, for invalid, rejected, failed and conflict: one readable line. */
  readonly reason?: string;
  /** For `duplicate`: the first result. */
  readonly first?: CommandResult;
}

/**
 * What `parseCommandMessage` makes of a Kafka message: a command, or why not. A failure names the
 * field (`ce_jirasite`, `data.fields`) and carries what could be read of the rest, so the `invalid`
 * result can still be addressed (commandId, site, issue, message key).
 */
export type ParsedCommand =
  | { readonly ok: true; readonly command: Command }
  | {
      readonly ok: false;
      /** `ce_id`, when it is valid. */
      readonly commandId?: string;
      /** `ce_jirasite`, when it is valid (lower-cased). */
      readonly siteHost?: string;
      /** `data.issue`, when it is a valid issue key or id. */
      readonly issue?: string;
      /** The message key, when there is one. */
      readonly key?: string;
      /** A dotted path: `ce_type`, `content-type`, `key`, `data`, `data.fields`, `data.to`. */
      readonly field: string;
      /** One readable line starting with the field: `data.to: required`. */
      readonly reason: string;
    };

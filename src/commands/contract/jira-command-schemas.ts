import { z } from 'zod';
import type { JiraCommandData } from '../command.ts';
import {
  bodySchema,
  commentIdSchema,
  connectorSchema,
  fieldsSchema,
  formatSchema,
  ifUpdatedSchema,
  issueRefSchema,
  nameSchema,
  projectRefSchema,
} from './command-data-fields.ts';

/**
 * The data of each Jira-shaped command (DESIGN.md, "Two-way sync"). Objects are strict: an unknown
 * key is refused with its name, so a misspelt `ifUpdated` is not silently ignored. `connector` may
 * name the connector whose system sent the command; the parser moves it to `Command.connector`.
 */

/** The data of one type as a command carries it: its `CommandData` less `type`, plus `connector`. */
type DataOf<T extends JiraCommandData['type']> = Omit<Extract<JiraCommandData, { type: T }>, 'type'> & {
  readonly connector?: 'crm' | 'monitoring';
};

const nonEmptyFields = fieldsSchema.refine(
  (fields) => Object.keys(fields).length > 0,
  'needs at least one field',
);

/** `jira.issue.create`: project, issue type and the new issue's fields. */
export const jiraIssueCreateSchema = z.strictObject({
  project: projectRefSchema,
  /** Issue type name or id. */
  issueType: nameSchema,
  fields: fieldsSchema,
  format: formatSchema,
  connector: connectorSchema,
}) satisfies z.ZodType<DataOf<'jira.issue.create'>>;

/** `jira.issue.update`: at least one field to change. */
export const jiraIssueUpdateSchema = z.strictObject({
  issue: issueRefSchema,
  fields: nonEmptyFields,
  ifUpdated: ifUpdatedSchema,
  format: formatSchema,
  connector: connectorSchema,
}) satisfies z.ZodType<DataOf<'jira.issue.update'>>;

/** `jira.issue.transition`: the target status by name or id. */
export const jiraIssueTransitionSchema = z.strictObject({
  issue: issueRefSchema,
  /** A status name or id. */
  to: nameSchema,
  ifUpdated: ifUpdatedSchema,
  connector: connectorSchema,
}) satisfies z.ZodType<DataOf<'jira.issue.transition'>>;

/** `jira.comment.create`: a body in plain text or Markdown. */
export const jiraCommentCreateSchema = z.strictObject({
  issue: issueRefSchema,
  body: bodySchema,
  format: formatSchema,
  connector: connectorSchema,
}) satisfies z.ZodType<DataOf<'jira.comment.create'>>;

/** `jira.comment.update`: the comment and its new body. */
export const jiraCommentUpdateSchema = z.strictObject({
  issue: issueRefSchema,
  commentId: commentIdSchema,
  body: bodySchema,
  format: formatSchema,
  connector: connectorSchema,
}) satisfies z.ZodType<DataOf<'jira.comment.update'>>;

/** `jira.comment.delete`: the comment to delete. */
export const jiraCommentDeleteSchema = z.strictObject({
  issue: issueRefSchema,
  commentId: commentIdSchema,
  connector: connectorSchema,
}) satisfies z.ZodType<DataOf<'jira.comment.delete'>>;

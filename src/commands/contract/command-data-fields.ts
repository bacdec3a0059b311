import { z } from 'zod';
import { commandConnectors } from '../command.ts';

/**
 * The field types command data is built from. Each pattern here is written the same way in the JSON
 * Schemas under docs/schemas/commands/ (a test checks that both accept and refuse the same samples).
 * Lengths count UTF-16 code units, as Jira does; JSON Schema counts code points.
 */

/** The longest text a command carries (a comment body, a description): Jira's own field limit. */
export const maxTextLength = 32_768;
/** The longest name (status, priority, issue type, field name): Jira's summary limit. */
const maxNameLength = 255;

/** An issue key (`OPS-7`) or a numeric issue id (`10042`). */
export const issueRefPattern = /^(?:[A-Z][A-Z0-9_]{0,254}-[1-9][0-9]{0,17}|[1-9][0-9]{0,17})$/;
/** A project key (`OPS`) or a numeric project id. */
const projectRefPattern = /^(?:[A-Z][A-Z0-9_]{0,254}|[1-9][0-9]{0,17})$/;
/** A numeric id, as Jira gives comment ids. */
const numericIdPattern = /^[1-9][0-9]{0,17}$/;
/**
 * ISO 8601 date and time with an offset: `Z`, `+01:00` or Jira's own `+0100`, as `updated` comes
 * from Jira (`2024-03-01T09:30:00.000+0000`).
 */
const isoTimePattern =
  /^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,9})?(?:Z|[+-](?:[01][0-9]|2[0-3]):?[0-5][0-9])$/;
/** A C0 control character or DEL: never in a name, an id or a header the relay reads. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
export const controlCharacter = /[\u0000-\u001f\u007f]/;
const notBlank = /\S/;

/** A one-line name: a status, a priority, a title; not blank, no control characters. */
export const nameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(maxNameLength, `at most ${maxNameLength} characters`)
  .regex(notBlank, 'must not be blank')
  .refine((text) => !controlCharacter.test(text), 'must not contain control characters');

/** `issue`: an issue key or a numeric issue id. */
export const issueRefSchema = z
  .string()
  .regex(issueRefPattern, 'an issue key like OPS-7 or a numeric issue id');

/** `project` of a create: a project key or a numeric project id. */
export const projectRefSchema = z
  .string()
  .regex(projectRefPattern, 'a project key like OPS or a numeric project id');

/** `commentId`: Jira's numeric comment id, as a string. */
export const commentIdSchema = z.string().regex(numericIdPattern, 'a numeric comment id like 10100');

/** A text that becomes ADF: a comment body, a note; lines and blank lines allowed. */
export const bodySchema = z
  .string()
  .min(1, 'must not be empty')
  .max(maxTextLength, `at most ${maxTextLength} characters`)
  .regex(notBlank, 'must not be blank');

/** `format` of a text: `text` (the default) or `markdown`. */
export const formatSchema = z.enum(['text', 'markdown']).default('text');

/** Optional `ifUpdated`: the issue's Jira `updated` the sender last saw. */
export const ifUpdatedSchema = z
  .string()
  .regex(isoTimePattern, 'an ISO 8601 time with an offset, e.g. 2024-03-01T09:30:00.000+0000')
  .exactOptional();

/**
 * Issue fields by id or name, values as Jira's REST API v3 takes them. Field names are not blank and
 * at most 255 characters.
 */
export const fieldsSchema = z.record(
  z
    .string()
    .min(1, 'a field id or name must not be empty')
    .max(maxNameLength, `a field id or name has at most ${maxNameLength} characters`)
    .regex(notBlank, 'a field id or name must not be blank'),
  z.json(),
);

/** The connector whose system sent a `jira.*` command (loop prevention), when it is one. */
export const connectorSchema = z.enum(commandConnectors).exactOptional();

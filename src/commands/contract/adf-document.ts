/**
 * ADF (Atlassian Document Format) as the relay writes it: the minimal typing of a document sent to
 * Jira REST v3 (comment bodies, descriptions). Reading Jira's ADF is src/atlassian/text/.
 */

/** A mark on a text node: `strong`, `em`, `strike`, `code`, `link` (`attrs.href`). */
export interface AdfDocumentMark {
  readonly type: string;
  readonly attrs?: Readonly<Record<string, unknown>>;
}

/** A block or inline node; `text` only on `text` nodes, where ADF requires it non-empty. */
export interface AdfDocumentNode {
  readonly type: string;
  readonly attrs?: Readonly<Record<string, unknown>>;
  readonly content?: readonly AdfDocumentNode[];
  readonly marks?: readonly AdfDocumentMark[];
  readonly text?: string;
}

/** The root: `{ version: 1, type: 'doc', content }`; empty content is a valid (empty) document. */
export interface AdfDocument {
  readonly version: 1;
  readonly type: 'doc';
  readonly content: readonly AdfDocumentNode[];
}

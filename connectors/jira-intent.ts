import type { JsonValue } from './relay-event.ts';

/**
 * What a command asks Jira to do, in Jira's terms: the one input of the command writer. Jira-shaped
 * commands (`jira.*`) and connector-shaped ones (`crm.*`, `monitoring.*`, mapped back through the
 * connectors file) both become a `JiraIntent`, so the writer knows nothing of connectors.
 */

/** A text in a command: plain text (the default) or Markdown; becomes ADF in the command normalizer. */
export type TextFormat = 'text' | 'markdown';

/** A text the writer turns into ADF (textToAdf) before it goes to Jira. */
interface IntentText {
  readonly text: string;
  readonly format: TextFormat;
}

/** Jira's status categories by key: `new` (To Do), `indeterminate` (In Progress), `done`. */
export type TransitionCategory = 'new' | 'indeterminate' | 'done';

/** Jira statuses by id (exact) and by name (ignoring case). */
export interface StatusRefs {
  readonly ids: readonly string[];
  readonly names: readonly string[];
}

/**
 * Where a transition should lead. A status qualifies when it is in `ids`, in `names` (ignoring
 * case), or in `category` and not in `exclude`. Prefer a transition to an id, then to a name, then
 * to the category (each list in its order, then Jira's order of transitions). When the issue already
 * stands in a qualifying status there is nothing to do. A superset of the `TransitionTarget` of
 * src/commands/jira/transition-picker.ts, which has no `exclude` yet.
 */
export interface TransitionTarget extends StatusRefs {
  readonly category?: TransitionCategory;
  /** Statuses the mapping gives another meaning: not taken for `category`. */
  readonly exclude?: StatusRefs;
  /** What was asked, for a reason when no transition qualifies: `CRM status "closed"`. */
  readonly label: string;
}

/**
 * Issue fields by id (`summary`, `customfield_10050`) or by name (`Story Points`): the writer
 * resolves names through the site's field list. Values as Jira's REST API v3 takes them, or simple
 * forms the writer converts by the field's schema; a string for a rich-text field (description,
 * environment, a multi-line custom field) is text in the intent's `textFormat`, to become ADF.
 */
type IntentFields = Readonly<Record<string, JsonValue>>;

/** One thing to do in Jira: create or update an issue, create, update or delete a comment. */
export type JiraIntent =
  | {
      readonly kind: 'create-issue';
      /** Project key or id. */
      readonly project: string;
      /** Issue type name or id. */
      readonly issueType: string;
      readonly fields: IntentFields;
      readonly textFormat: TextFormat;
    }
  | {
      /** An edit, a transition, or both (edit first: a transition screen may not show the fields). */
      readonly kind: 'update-issue';
      /** Issue key or id. */
      readonly issue: string;
      readonly fields: IntentFields;
      readonly textFormat: TextFormat;
      readonly transition?: TransitionTarget;
      /** Write only when Jira's `updated` of the issue is still this time; else the result is `conflict`. */
      readonly ifUpdated?: string;
    }
  | {
      readonly kind: 'create-comment';
      readonly issue: string;
      readonly body: IntentText;
      /**
       * The sender's wish about visibility (`crm.note.create`'s `public`); absent when not given.
       * Jira comments have no generic public/private flag: only Jira Service Management honours
       * one (the comment property `sd.public.comment` `{ internal: true }`). The writer records it
       * in the origin property either way.
       */
      readonly public?: boolean;
    }
  | {
      readonly kind: 'update-comment';
      readonly issue: string;
      readonly commentId: string;
      readonly body: IntentText;
    }
  | { readonly kind: 'delete-comment'; readonly issue: string; readonly commentId: string };

/**
 * A valid command that cannot become an intent here (its connector is not configured for the site):
 * one readable line for the result's `reason`; the result is `rejected`.
 */
export interface IntentError {
  readonly error: string;
}

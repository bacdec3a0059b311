/**
 * The normalized record every path produces (webhook, poll, backfill, reconcile) and every connector
 * consumes. Rich text is already plain text here (src/atlassian/text.ts runs once, in normalization).
 * Entities are keyed by id: keys change on moves, ids do not.
 */

export interface SiteRef {
  /** `acme.atlassian.net`: the CloudEvents source is `https://${host}`, the Kafka key `${host}:${issueId}`. */
  readonly host: string;
  /** The Atlassian cloud id, when the change came through a connection (admin webhooks may lack it). */
  readonly cloudId?: string;
}

export interface JiraUser {
  readonly accountId: string;
  readonly displayName?: string;
  readonly emailAddress?: string;
}

/** Jira's status categories by key: `new` (To Do), `indeterminate` (In Progress), `done`. */
export type StatusCategory = 'new' | 'indeterminate' | 'done' | 'undefined';

export interface IssueSnapshot {
  readonly id: string;
  readonly key: string;
  readonly project: { readonly id: string; readonly key: string; readonly name?: string };
  readonly issueType: { readonly id?: string; readonly name: string };
  readonly summary: string;
  /** Plain text of the description (from ADF or wiki markup); null when empty. */
  readonly description: string | null;
  /** Markdown of the description, when normalization was asked for it. */
  readonly descriptionMarkdown?: string | null;
  readonly status: { readonly id?: string; readonly name: string; readonly category: StatusCategory };
  readonly priority: { readonly id?: string; readonly name: string } | null;
  readonly assignee: JiraUser | null;
  readonly reporter: JiraUser | null;
  readonly labels: readonly string[];
  readonly components: readonly string[];
  /**
   * Custom fields by id (`customfield_10050`), values rendered for events (src/normalize/
   * field-render.ts): rich text becomes text, options their `value`, users `{ accountId,
   * displayName }`, datetimes UTC ISO; other shapes pass through as JSON without links. Fields
   * without a value are left out.
   */
  readonly customFields: Readonly<Record<string, unknown>>;
  /**
   * Every other built-in field the payload carried (`duedate`, `resolution`, `fixVersions`,
   * `parent`, `issuelinks`, `timetracking`, `environment`, `creator`, ...), rendered the same way
   * and JSON-safe: equal whether the issue came by webhook or by an API read. Fields without a
   * value are left out; absent in snapshots stored before it existed.
   */
  readonly systemFields?: Readonly<Record<string, unknown>>;
  /** ISO 8601 timestamps as Jira gives them. */
  readonly created: string;
  readonly updated: string;
}

export interface CommentSnapshot {
  readonly id: string;
  readonly issueId: string;
  readonly author: JiraUser | null;
  /** Plain text of the body; Markdown alongside when asked for. */
  readonly body: string;
  readonly bodyMarkdown?: string;
  /** False for internal (JSM `jsdPublic: false`) or restricted (`visibility`) comments. */
  readonly public: boolean;
  readonly created: string;
  readonly updated: string;
}

export interface ChangelogItem {
  readonly field: string;
  readonly fieldId?: string;
  readonly from: string | null;
  readonly fromString: string | null;
  readonly to: string | null;
  readonly toString: string | null;
}

/** How the change reached us; coverage metrics compare the paths. */
type ChangeSource = 'webhook' | 'poll' | 'backfill' | 'reconcile';

interface ChangeBase {
  readonly site: SiteRef;
  /**
   * The entity's version: epoch ms of its own `updated` (issue `fields.updated`, comment `updated`);
   * the delivery time only where the entity carries none, and for deletions.
   */
  readonly version: number;
  readonly source: ChangeSource;
  /** Epoch ms when the relay first saw this change (webhook receipt or poll time). */
  readonly observedAt: number;
  /** Set only on an operator's replay (src/sync/replay.ts): see `ReplayMarker`. */
  readonly replay?: ReplayMarker;
}

/**
 * A change read again to be re-emitted, not a new one: the pipeline publishes its events again,
 * under the ids they had, to the connectors named (null: every enabled one), past the stale and
 * already-published checks, and writes no state (src/pipeline/connector-turn.ts, `replayConnector`).
 */
export interface ReplayMarker {
  readonly connectors: readonly string[] | null;
}

export interface IssueChange extends ChangeBase {
  readonly entity: 'issue';
  readonly kind: 'created' | 'updated' | 'deleted' | 'moved';
  readonly issue: IssueSnapshot;
  /** Changelog items of this change; empty when unknown (polling) or when Jira sent none. */
  readonly changelog: readonly ChangelogItem[];
  /** For `moved`: the key before the move. */
  readonly previousKey?: string;
  /**
   * For connectors that react to transitions: the issue as this connector last published it, added
   * by the change worker; null when it published nothing of the issue yet.
   */
  readonly previous?: IssueSnapshot | null;
}

export interface CommentChange extends ChangeBase {
  readonly entity: 'comment';
  readonly kind: 'created' | 'updated' | 'deleted';
  readonly comment: CommentSnapshot;
  /** The issue the comment belongs to; webhook comment events carry a trimmed issue. */
  readonly issue: {
    readonly id: string;
    readonly key: string;
    readonly summary?: string;
    readonly projectKey?: string;
    /** The issue type name, when the payload carries it (webhook comment events do). */
    readonly issueType?: string;
  };
  /**
   * The issue's last snapshot the relay processed, added by the change worker when it has one; null
   * when none. Lets connectors filter comments by issue type or label and give them context.
   */
  readonly issueSnapshot?: IssueSnapshot | null;
}

export type JiraChange = IssueChange | CommentChange;

/** Where the entity lives in the relay's state: one id space per site and entity kind. */
export function entityRef(change: JiraChange): { kind: 'issue' | 'comment'; id: string } {
  return change.entity === 'issue'
    ? { kind: 'issue', id: change.issue.id }
    : { kind: 'comment', id: change.comment.id };
}

/** The issue id a change belongs to: the Kafka key is `${site.host}:${issueId}` for both kinds. */
export function issueIdOf(change: JiraChange): string {
  return change.issue.id;
}

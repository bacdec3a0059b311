/** The simulator's in-memory world: Atlassian accounts, Jira sites and their issues. */

export interface SimUser {
  readonly accountId: string;
  readonly displayName: string;
  readonly email: string;
  readonly timeZone: string;
  readonly locale: string;
}

export interface SimProject {
  readonly id: string;
  readonly key: string;
  readonly name: string;
}

export interface HistoryItem {
  field: string;
  fieldtype: 'jira' | 'custom';
  fieldId?: string;
  from: string | null;
  fromString: string | null;
  to: string | null;
  toString: string | null;
}

export interface SimHistory {
  readonly id: string;
  readonly authorId: string;
  readonly created: number;
  readonly items: HistoryItem[];
  readonly historyMetadata?: Record<string, unknown>;
}

export interface SimComment {
  readonly id: string;
  readonly issueId: string;
  body: AdfDoc;
  readonly authorId: string;
  updateAuthorId: string;
  readonly created: number;
  updated: number;
  properties: Map<string, unknown>;
}

export interface AdfDoc {
  type: 'doc';
  version: 1;
  content: unknown[];
}

/** A link between two issues as one side lists it; the other side lists the same id the other way. */
export interface SimIssueLink {
  readonly id: string;
  /** An id of catalog.ts `linkTypes`. */
  readonly typeId: string;
  /** `outward`: this issue is the link's source (`blocks`); `inward`: its target (`is blocked by`). */
  readonly direction: 'outward' | 'inward';
  readonly otherIssueId: string;
}

/** Time tracking in seconds; null where nothing was estimated or logged. */
export interface SimTimeTracking {
  originalSeconds: number | null;
  remainingSeconds: number | null;
  spentSeconds: number | null;
}

export interface SimIssue {
  readonly id: string;
  key: string;
  projectId: string;
  issueTypeId: string;
  summary: string;
  description: AdfDoc | null;
  statusId: string;
  priorityId: string;
  labels: string[];
  componentIds: string[];
  assigneeId: string | null;
  readonly reporterId: string;
  readonly creatorId: string;
  readonly created: number;
  updated: number;
  resolutionDate: number | null;
  /** Custom field values by field id (customfield_NNNNN). */
  custom: Record<string, unknown>;
  // Built-in fields beyond the core ones (render/work-fields.ts); absent means empty.
  /** `yyyy-MM-dd`, a date without a time zone. */
  dueDate?: string | null;
  environment?: AdfDoc | null;
  fixVersionIds?: string[];
  affectsVersionIds?: string[];
  parentId?: string | null;
  links?: SimIssueLink[];
  timeTracking?: SimTimeTracking;
  securityLevelId?: string | null;
  watcherIds?: string[];
  votes?: number;
  comments: SimComment[];
  changelog: SimHistory[];
  properties: Map<string, unknown>;
}

export interface SimSite {
  readonly cloudId: string;
  /** name, url and host change when an admin renames the site (control `renameSite`). */
  name: string;
  url: string;
  host: string;
  readonly projects: SimProject[];
  /** Account ids of the users who can see this site. */
  readonly userIds: Set<string>;
}

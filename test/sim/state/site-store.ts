import type { SimComment, SimIssue, SimSite } from '../model.ts';

/** Sort order of search's default `ORDER BY updated ASC, id ASC`, kept as an index. */
function compareUpdatedId(a: SimIssue, b: SimIssue): number {
  return a.updated - b.updated || Number(a.id) - Number(b.id);
}

/**
 * The issues and comments of one site, with the indexes search needs: by id, by key (old keys of
 * moved issues keep resolving) and ordered by (updated, id) so keyset pages cost a binary search.
 */
export class SiteStore {
  readonly site: SimSite;
  readonly byId = new Map<string, SimIssue>();
  readonly byKey = new Map<string, SimIssue>();
  readonly commentsById = new Map<string, SimComment>();
  /** Issues ordered by (updated, id). */
  readonly ordered: SimIssue[] = [];
  private nextIssueId = 10000;
  private nextCommentId = 10000;
  private nextHistoryId = 10000;
  private readonly nextIssueNumber = new Map<string, number>();

  constructor(site: SimSite) {
    this.site = site;
  }

  allocateIssueId(): string {
    return String(this.nextIssueId++);
  }

  allocateCommentId(): string {
    return String(this.nextCommentId++);
  }

  allocateHistoryId(): string {
    return String(this.nextHistoryId++);
  }

  allocateKey(projectKey: string): string {
    const n = (this.nextIssueNumber.get(projectKey) ?? 0) + 1;
    this.nextIssueNumber.set(projectKey, n);
    return `${projectKey}-${n}`;
  }

  /** Adds many issues at once (generation); sorts once instead of inserting one by one. */
  addGenerated(issues: readonly SimIssue[]): void {
    for (const issue of issues) this.index(issue);
    this.ordered.push(...issues);
    this.ordered.sort(compareUpdatedId);
  }

  add(issue: SimIssue): void {
    this.index(issue);
    this.ordered.splice(this.lowerBound(issue), 0, issue);
  }

  /** Call instead of assigning `updated` directly, so the ordered index stays sorted. */
  setUpdated(issue: SimIssue, updated: number): void {
    this.unorder(issue);
    issue.updated = updated;
    this.ordered.splice(this.lowerBound(issue), 0, issue);
  }

  remove(issue: SimIssue): void {
    this.unorder(issue);
    this.byId.delete(issue.id);
    for (const [key, value] of this.byKey) if (value === issue) this.byKey.delete(key);
    for (const comment of issue.comments) this.commentsById.delete(comment.id);
  }

  find(idOrKey: string): SimIssue | undefined {
    return this.byId.get(idOrKey) ?? this.byKey.get(idOrKey.toUpperCase());
  }

  indexComment(comment: SimComment): void {
    this.commentsById.set(comment.id, comment);
  }

  /** First position whose (updated, id) is not below the given issue's. */
  lowerBound(probe: Pick<SimIssue, 'updated' | 'id'>): number {
    let lo = 0;
    let hi = this.ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareUpdatedId(this.ordered[mid] as SimIssue, probe as SimIssue) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private index(issue: SimIssue): void {
    this.byId.set(issue.id, issue);
    this.byKey.set(issue.key, issue);
    for (const comment of issue.comments) this.commentsById.set(comment.id, comment);
  }

  private unorder(issue: SimIssue): void {
    const at = this.lowerBound(issue);
    if (this.ordered[at] === issue) this.ordered.splice(at, 1);
    else {
      const i = this.ordered.indexOf(issue);
      if (i >= 0) this.ordered.splice(i, 1);
    }
  }
}

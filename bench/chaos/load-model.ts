import { prng } from '../../test/helpers/prng.ts';
import type { IssueNow } from './jira-reader.ts';

export interface SiteInfo {
  readonly cloudId: string;
  readonly host: string;
  readonly projects: readonly string[];
}

/** A live issue as the load knows it. */
export interface IssueState {
  readonly site: SiteInfo;
  readonly id: string;
  readonly key: string;
  status: string;
  priority: string | null;
  readonly comments: string[];
  /** The load knows all of its comments, so deleting it lists every comment deletion it implies. */
  readonly deletable: boolean;
}

export interface TouchedIssue {
  readonly site: SiteInfo;
  readonly id: string;
  readonly key: string;
  /** When the load last changed it (epoch ms). */
  readonly lastAt: number;
}

export interface TouchedComment extends TouchedIssue {
  readonly issueId: string;
}

/**
 * What the load did to Jira: the live issues it may act on, and every issue and comment it changed
 * (created, edited, deleted, or deleted with their issue), keyed by site and id.
 */
export class LoadModel {
  readonly live: IssueState[] = [];
  readonly touchedIssues = new Map<string, TouchedIssue>();
  readonly touchedComments = new Map<string, TouchedComment>();
  readonly changes = new Map<string, number>();
  readonly random: () => number;

  constructor(seed: number) {
    this.random = prng(seed);
  }

  addSeeded(site: SiteInfo, issues: readonly IssueNow[]): void {
    for (const i of issues) {
      this.live.push({
        site,
        id: i.id,
        key: i.key,
        status: i.status,
        priority: i.priority,
        comments: [...i.commentIds],
        deletable: i.commentsComplete,
      });
    }
  }

  get changeCount(): number {
    let sum = 0;
    for (const n of this.changes.values()) sum += n;
    return sum;
  }

  /** Counts one change the load made, of a kind (`issue created`, `comment deleted`, ...). */
  count(kind: string): void {
    this.changes.set(kind, (this.changes.get(kind) ?? 0) + 1);
  }

  touchIssue(issue: IssueState): void {
    this.touchedIssues.set(`${issue.site.host}/${issue.id}`, {
      site: issue.site,
      id: issue.id,
      key: issue.key,
      lastAt: Date.now(),
    });
  }

  touchComment(issue: IssueState, commentId: string): void {
    this.touchedComments.set(`${issue.site.host}/${commentId}`, {
      site: issue.site,
      id: commentId,
      key: issue.key,
      issueId: issue.id,
      lastAt: Date.now(),
    });
  }

  pick<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[Math.floor(this.random() * items.length)];
  }

  /** A live issue, optionally one that passes `filter`. */
  pickIssue(filter: (i: IssueState) => boolean = () => true): IssueState | undefined {
    return this.pick(this.live.filter(filter));
  }

  forget(issue: IssueState): void {
    const i = this.live.indexOf(issue);
    if (i >= 0) this.live.splice(i, 1);
  }
}

import type { HistoryItem, SimComment, SimIssue } from '../model.ts';
import type { SiteStore } from './site-store.ts';

/** What happened in Jira, as the webhook dispatcher needs it (captured at the time of the change). */
type IssueEventName = 'jira:issue_created' | 'jira:issue_updated' | 'jira:issue_deleted';
type CommentEventName = 'comment_created' | 'comment_updated' | 'comment_deleted';
type PropertyEventName = 'issue_property_set' | 'issue_property_deleted';
export type WebhookEventName = IssueEventName | CommentEventName | PropertyEventName;

export interface SimEvent {
  readonly name: WebhookEventName;
  readonly store: SiteStore;
  readonly issue: SimIssue;
  readonly actorId: string;
  readonly at: number;
  /** Finer-grained than `name` for issue events: issue_updated, issue_generic, issue_commented, ... */
  readonly issueEventTypeName?: string;
  readonly changelog?: { id: string; items: HistoryItem[] };
  readonly comment?: SimComment;
  readonly propertyKey?: string;
  /** Primary for direct changes; Secondary for fallout (comments of a deleted issue). */
  readonly flow: 'Primary' | 'Secondary';
}

export type EventListener = (event: SimEvent) => void;

export class EventBus {
  private readonly listeners: EventListener[] = [];

  on(listener: EventListener): void {
    this.listeners.push(listener);
  }

  emit(event: SimEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

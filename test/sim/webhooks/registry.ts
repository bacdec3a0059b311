import type { IssuePredicate } from '../jql/compile.ts';
import type { WebhookEventName } from '../state/events.ts';

export const DYNAMIC_EVENTS: ReadonlySet<string> = new Set([
  'jira:issue_created',
  'jira:issue_updated',
  'jira:issue_deleted',
  'comment_created',
  'comment_updated',
  'comment_deleted',
  'issue_property_set',
  'issue_property_deleted',
]);

export interface DynamicWebhook {
  readonly id: number;
  readonly cloudId: string;
  readonly ownerAccountId: string;
  readonly url: string;
  readonly events: WebhookEventName[];
  readonly jqlFilter: string;
  readonly predicate: IssuePredicate;
  readonly fieldIdsFilter?: string[];
  readonly issuePropertyKeysFilter?: string[];
  expiresAt: number;
}

/** An admin webhook (Jira settings or /rest/webhooks/1.0): signed with an HMAC when it has a secret. */
export interface AdminWebhook {
  readonly id: number;
  readonly cloudId: string;
  readonly url: string;
  readonly events: string[];
  readonly predicate: IssuePredicate | undefined;
  readonly secret: string | undefined;
}

export class WebhookRegistry {
  readonly dynamic: DynamicWebhook[] = [];
  readonly admin: AdminWebhook[] = [];
  private nextId = 1000;

  allocateId(): number {
    return this.nextId++;
  }

  /**
   * Every dynamic webhook of the app, on any site. The simulator serves one OAuth app (one client
   * id), so that is all of them.
   */
  ofApp(): DynamicWebhook[] {
    return [...this.dynamic];
  }

  ofSite(cloudId: string): DynamicWebhook[] {
    return this.dynamic.filter((w) => w.cloudId === cloudId);
  }

  remove(cloudId: string, ids: ReadonlySet<number>): void {
    for (let i = this.dynamic.length - 1; i >= 0; i--) {
      const w = this.dynamic[i] as DynamicWebhook;
      if (w.cloudId === cloudId && ids.has(w.id)) this.dynamic.splice(i, 1);
    }
  }
}

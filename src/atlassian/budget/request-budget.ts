import type { ResponseHeaders } from './retry-delay.ts';

/** One Jira request as the points budget sees it. */
export interface BudgetedRequest {
  /** The site's host (`acme.atlassian.net`). */
  readonly site: string;
  readonly cloudId: string;
  readonly method: string;
  /** A stable name for the endpoint (`search`, `issue-bulkfetch`, ...): burst limits are per endpoint. */
  readonly routeClass: string;
  /** Expected points: 1 plus the objects the response should hold. */
  readonly estimatedCost: number;
  /** The issue a write goes to (`issue/{idOrKey}/...`), for Jira's per-issue write limits. */
  readonly issueId?: string;
}

export interface BudgetedResponse {
  /** null when no response arrived. */
  readonly status: number | null;
  readonly headers: ResponseHeaders;
}

/**
 * The Jira points budget as the client calls it (the implementation is src/atlassian/budget.ts,
 * a later issue). `beforeRequest` may wait for capacity, or throw a retryable RelayError when the
 * call should be postponed; `afterResponse` sees every response, 429s and their headers included.
 */
export interface RequestBudget {
  beforeRequest(request: BudgetedRequest): Promise<void>;
  afterResponse(request: BudgetedRequest, response: BudgetedResponse): Promise<void>;
}

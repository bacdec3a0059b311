import type { BudgetedRequest, BudgetedResponse, RequestBudget } from '../atlassian/budget/request-budget.ts';
import type { Metrics } from './registry.ts';

/**
 * Counts every Jira request by route class, status and RateLimit-Reason, then hands it to the real
 * budget (when there is one). The Jira client calls the budget around every attempt, so this sees
 * retries and 429s too.
 */
export function instrumentBudget(metrics: Metrics, inner?: RequestBudget): RequestBudget {
  return {
    beforeRequest: (request: BudgetedRequest) => inner?.beforeRequest(request) ?? Promise.resolve(),
    async afterResponse(request: BudgetedRequest, response: BudgetedResponse) {
      const header = response.headers['ratelimit-reason'];
      const reason = (Array.isArray(header) ? header[0] : header) ?? '';
      metrics.jiraRequests.inc({ route: request.routeClass, status: String(response.status ?? 0), reason });
      await inner?.afterResponse(request, response);
    },
  };
}

/** Counters the control API exposes so tests can assert what the relay did to "Atlassian". */
export interface SimStats {
  /** "METHOD route status" -> count, e.g. "GET /ex/jira/:cloudId/rest/api/3/search/jql 200". */
  requests: Record<string, number>;
  tokenRequests: Record<string, number>;
  pointsBySite: Record<string, number>;
  /** "METHOD route" -> points charged, e.g. "POST /ex/jira/:cloudId/rest/api/3/search/jql". */
  pointsByRoute: Record<string, number>;
  pointsThisWindow: number;
  rateLimited: Record<string, number>;
  webhooks: { deliveries: number; retries: number; failures: number; dropped: number; duplicated: number };
  /** Scripted faults applied, e.g. "afterWrite drop POST /issue" -> count. */
  faults: Record<string, number>;
}

export function createStats(): SimStats {
  return {
    requests: {},
    tokenRequests: {},
    pointsBySite: {},
    pointsByRoute: {},
    pointsThisWindow: 0,
    rateLimited: {},
    webhooks: { deliveries: 0, retries: 0, failures: 0, dropped: 0, duplicated: 0 },
    faults: {},
  };
}

export function bump(counter: Record<string, number>, key: string, by = 1): void {
  counter[key] = (counter[key] ?? 0) + by;
}

/**
 * Faults tests switch on (POST /_sim/faults or sim.setFaults): latency, random 5xx, scripted
 * failures for the next requests, a slow token endpoint (an "unknown outcome" refresh), and
 * dropping, duplicating and shuffling webhook deliveries. An empty object clears them.
 */
export interface FaultRule {
  /** Only requests whose method / path (substring of the URL) match. */
  method?: string;
  path?: string;
  status: number;
  /** How many matching requests fail (default 1). */
  times?: number;
  retryAfterSeconds?: number;
  /** For 429s: the RateLimit-Reason to send. */
  rateLimitReason?: string;
  body?: unknown;
}

export interface SimFaults {
  /** Added to every Jira API response. */
  latencyMs?: number;
  /** Share (0..1) of Jira API requests answered with `errorStatus` (default 503). */
  errorRate?: number;
  errorStatus?: number;
  /** Scripted failures, consumed in order. */
  failNext?: FaultRule[];
  /** The token endpoint does its work, then waits this long before answering (client timeouts). */
  tokenLatencyMs?: number;
  /** Scripted token-endpoint answers, e.g. a 500 with the work not done. */
  tokenFailNext?: FaultRule[];
  webhookDropRate?: number;
  webhookDuplicateRate?: number;
  /** Hold deliveries for this long and send them in random order. */
  webhookShuffleWindowMs?: number;
  /**
   * Statuses delivery attempts pretend to get, one consumed per attempt: the receiver still gets
   * the POST, but a 5xx here makes the simulator retry it (tests of the retry path).
   */
  webhookFailNext?: number[];
}

export interface FaultState {
  current: SimFaults;
}

/** Takes the first scripted rule matching the request, decrementing its count. */
export function takeRule(rules: FaultRule[] | undefined, method: string, url: string): FaultRule | undefined {
  if (!rules) return undefined;
  const i = rules.findIndex(
    (r) => (!r.method || r.method.toUpperCase() === method) && (!r.path || url.includes(r.path)),
  );
  if (i < 0) return undefined;
  const rule = rules[i] as FaultRule;
  const left = (rule.times ?? 1) - 1;
  if (left <= 0) rules.splice(i, 1);
  else rule.times = left;
  return rule;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

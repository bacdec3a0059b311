/**
 * Faults tests switch on (POST /_sim/faults or sim.setFaults): latency, random 5xx, scripted
 * failures for the next requests, writes whose answer is lost or late (an "unknown outcome"
 * write), a slow token endpoint (an "unknown outcome" refresh), and dropping, duplicating and
 * shuffling webhook deliveries. An empty object clears them.
 */

/** Which requests a scripted rule picks; every condition given must hold. */
export interface RequestMatch {
  /** HTTP method, any case. */
  method?: string;
  /** A substring of the URL (path and query), e.g. `comment` or `transitions`. */
  path?: string;
  /**
   * The exact Jira route after /rest/api/3, e.g. `/issue` (creates only, where the path `issue`
   * also matches comments and transitions) or `/issue/:issueIdOrKey/comment`.
   */
  route?: string;
  /** How many matching requests the rule applies to (default 1). */
  times?: number;
}

/** @public */
export interface FaultRule extends RequestMatch {
  status: number;
  retryAfterSeconds?: number;
  /** For 429s: the RateLimit-Reason to send. */
  rateLimitReason?: string;
  body?: unknown;
}

/**
 * A write whose effect happens but whose answer does not arrive (or arrives late): the
 * "unknown outcome" a client sees on a gateway timeout or a reset after Jira acted.
 */
export interface AfterWriteRule extends RequestMatch {
  /**
   * `drop`: the write is applied and its webhooks fire, then the TCP connection is destroyed
   * without any response (after `delayMs`, default at once). `slow`: the write is applied at
   * once, the response is sent only after `delayMs`, so a client with a shorter timeout gives up.
   */
  mode: 'drop' | 'slow';
  delayMs?: number;
}

export interface SimFaults {
  /** Added to every Jira API response. */
  latencyMs?: number;
  /** Share (0..1) of Jira API requests answered with `errorStatus` (default 503). */
  errorRate?: number;
  errorStatus?: number;
  /** Scripted failures, consumed in order; the request is refused before it does anything. */
  failNext?: FaultRule[];
  /**
   * Scripted lost or late answers of writes, consumed in order by writes that succeeded (a 2xx
   * from a non-GET route that changes something; searches and bulk reads by POST never match).
   */
  afterWrite?: AfterWriteRule[];
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

/**
 * Takes the first scripted rule matching the request, decrementing its count. `route` is the Jira
 * route after /rest/api/3 (undefined outside the Jira API, where rules with a `route` never match).
 */
export function takeRule<T extends RequestMatch>(
  rules: T[] | undefined,
  method: string,
  url: string,
  route?: string,
): T | undefined {
  if (!rules) return undefined;
  const i = rules.findIndex(
    (r) =>
      (!r.method || r.method.toUpperCase() === method) &&
      (!r.path || url.includes(r.path)) &&
      (r.route === undefined || r.route === route),
  );
  if (i < 0) return undefined;
  const rule = rules[i] as T;
  const left = (rule.times ?? 1) - 1;
  if (left <= 0) rules.splice(i, 1);
  else rule.times = left;
  return rule;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

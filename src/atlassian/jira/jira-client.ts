import got, { type Got, type NormalizedOptions, type Options, type RequestError, type Response } from 'got';
import type { Connection } from '../../connections/connection.ts';
import { isRelayError, type RelayError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { BudgetedRequest, RequestBudget } from '../budget/request-budget.ts';
import {
  type RetryPolicy,
  rateLimitDelayMs,
  rateLimitReason,
  retryDelayMs,
  serverDelayMs,
} from '../budget/retry-delay.ts';
import { JiraHttpError, jiraErrorMessages, secretFreeCause } from './jira-http-error.ts';

/** What the Jira client needs from the token manager. */
export interface AccessTokenSource {
  getAccessToken(connection: Connection): Promise<string>;
  /** Jira refused `rejectedToken` (401): a token that is not that one, refreshing if needed. */
  refreshAfterRejection(connection: Connection, rejectedToken: string): Promise<string>;
}

export interface JiraRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Under `/rest/api/3/`, e.g. `search/jql` or `issue/ABC-1/comment`. */
  readonly path: string;
  readonly searchParams?: Readonly<Record<string, string | number | boolean>>;
  readonly json?: unknown;
  /** Safe to send twice (GET always; read-only POSTs such as search and bulk fetch say so). */
  readonly idempotent?: boolean;
  /** Endpoint name for the budget's burst limits; defaults to the path's first segment. */
  readonly routeClass?: string;
  /** Expected points (1 + objects returned); default 1. */
  readonly estimatedCost?: number;
}

export type RequestMeta = Pick<JiraRequest, 'idempotent' | 'routeClass' | 'estimatedCost'>;

export interface JiraClientOptions {
  readonly tokens: AccessTokenSource;
  /** ATLASSIAN_API_URL. */
  readonly apiUrl: string;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly log: Logger;
  readonly budget?: RequestBudget;
  readonly now?: () => number;
  readonly random?: () => number;
}

interface CallContext {
  readonly idempotent: boolean;
  readonly budgeted: BudgetedRequest;
  readonly authRetried?: boolean;
}

/**
 * Jira REST v3 for one connection, through Atlassian's gateway. Each attempt asks the token manager
 * for a bearer token (a map lookup while warm); a 401 refreshes once and retries once; 5xx, 408,
 * timeouts and short 429s are retried with backoff for idempotent calls only; what is left becomes
 * a JiraHttpError (a 429 carries its delay and `RateLimit-Reason`). Every call has a timeout.
 */
export class JiraClient {
  readonly connection: Connection;
  readonly #o: JiraClientOptions;
  readonly #http: Got;
  readonly #log: Logger;
  readonly #now: () => number;

  constructor(connection: Connection, opts: JiraClientOptions) {
    this.connection = connection;
    this.#o = opts;
    this.#now = opts.now ?? Date.now;
    this.#log = opts.log.child({ site: connection.siteHost });
    this.#http = got.extend({
      prefixUrl: `${opts.apiUrl}/ex/jira/${encodeURIComponent(connection.cloudId)}/rest/api/3`,
      responseType: 'json',
      timeout: { request: opts.timeoutMs },
      retry: {
        limit: opts.retry.limit,
        enforceRetryRules: false,
        calculateDelay: ({ attemptCount, error }) => this.#retryDelay(attemptCount, error),
      },
      hooks: {
        beforeRequest: [(options) => this.#authorize(options)],
        afterResponse: [(response, retry) => this.#afterResponse(response, retry)],
      },
    });
  }

  async request<T = unknown>(req: JiraRequest): Promise<T> {
    const path = req.path.replace(/^\/+/, '');
    const context: CallContext = {
      idempotent: req.idempotent ?? req.method === 'GET',
      budgeted: {
        site: this.connection.siteHost,
        cloudId: this.connection.cloudId,
        method: req.method,
        routeClass: req.routeClass ?? path.split('/')[0] ?? path,
        estimatedCost: req.estimatedCost ?? 1,
        ...writtenIssue(req.method, path),
      },
    };
    try {
      const response = await this.#http(path, {
        method: req.method,
        ...(req.searchParams ? { searchParams: { ...req.searchParams } } : {}),
        ...(req.json === undefined ? {} : { json: req.json }),
        context: { ...context },
      });
      return response.body as T;
    } catch (err) {
      throw this.#toError(req.method, path, err);
    }
  }

  get<T = unknown>(
    path: string,
    searchParams?: JiraRequest['searchParams'],
    meta: RequestMeta = {},
  ): Promise<T> {
    return this.request<T>({ method: 'GET', path, ...(searchParams ? { searchParams } : {}), ...meta });
  }

  post<T = unknown>(path: string, json: unknown, meta: RequestMeta = {}): Promise<T> {
    return this.request<T>({ method: 'POST', path, json, ...meta });
  }

  async #authorize(options: NormalizedOptions): Promise<void> {
    const token = await this.#o.tokens.getAccessToken(this.connection);
    options.headers.authorization = `Bearer ${token}`;
    await this.#o.budget?.beforeRequest(contextOf(options).budgeted);
  }

  async #afterResponse(
    response: Response,
    retry: (options: Record<string, unknown>) => never,
  ): Promise<Response> {
    const options = response.request.options;
    const context = contextOf(options);
    await this.#o.budget?.afterResponse(context.budgeted, {
      status: response.statusCode,
      headers: response.headers,
    });
    if (response.statusCode !== 401 || context.authRetried) return response;
    // The token may have been revoked early (a rotation elsewhere revokes its companion): refresh once,
    // retry once. A 401 means Jira did nothing, so even a non-idempotent call may be sent again.
    const rejected = bearerOf(options.headers.authorization);
    const token = await this.#o.tokens.refreshAfterRejection(this.connection, rejected);
    this.#log.info(
      { method: options.method },
      'Jira refused the access token; retrying with a refreshed one',
    );
    await this.#o.budget?.beforeRequest(context.budgeted);
    return retry({
      headers: { authorization: `Bearer ${token}` },
      context: { ...context, authRetried: true },
      preserveHooks: true,
    });
  }

  #retryDelay(attempt: number, error: RequestError): number {
    // A retry asked for by the 401 hook: go at once.
    if (error.name === 'RetryError') return 1;
    const context = contextOf(error.options);
    const delay = retryDelayMs(
      {
        attempt,
        status: error.response?.statusCode ?? null,
        errorCode: error.code,
        headers: error.response?.headers ?? {},
        idempotent: context.idempotent,
        now: this.#now(),
      },
      this.#o.retry,
      this.#o.random,
    );
    if (delay === null) return 0;
    this.#log.warn(
      { attempt, status: error.response?.statusCode ?? null, code: error.code, delayMs: delay },
      'retrying a Jira call',
    );
    return Math.max(1, delay);
  }

  #toError(method: string, path: string, err: unknown): RelayError {
    const own = relayCause(err);
    if (own) return own;
    const response = (err as RequestError).response;
    const headers = response?.headers ?? {};
    const status = response?.statusCode ?? null;
    const now = this.#now();
    return new JiraHttpError({
      method,
      path,
      status,
      retryAfterMs:
        status === 429
          ? rateLimitDelayMs(headers, 1, this.#o.retry, now, this.#o.random)
          : serverDelayMs(headers, now),
      rateLimitReason: status === 429 ? rateLimitReason(headers) : null,
      messages: jiraErrorMessages(response?.body),
      cause: secretFreeCause(err),
    });
  }
}

function contextOf(options: Options | NormalizedOptions): CallContext {
  return options.context as unknown as CallContext;
}

function bearerOf(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value?.replace(/^Bearer /, '') ?? '';
}

/** Errors our own hooks threw (ReauthRequiredError, a budget refusal) reach the caller as they are. */
function relayCause(err: unknown): RelayError | null {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (isRelayError(e)) return e;
  }
  return null;
}

/** Writes to one issue (`PUT issue/ABC-1`, `POST issue/ABC-1/comment`) are limited per issue by Jira. */
function writtenIssue(method: string, path: string): { issueId?: string } {
  const issueId = method === 'GET' ? undefined : /^issue\/([^/?]+)/.exec(path)?.[1];
  return issueId === undefined || issueId === 'bulkfetch' ? {} : { issueId };
}

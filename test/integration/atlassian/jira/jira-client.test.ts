import { describe, expect, it } from 'vitest';
import type {
  BudgetedRequest,
  BudgetedResponse,
  RequestBudget,
} from '../../../../src/atlassian/budget/request-budget.ts';
import type { JiraHttpError } from '../../../../src/atlassian/jira/jira-http-error.ts';
import { type SearchPage, searchJql } from '../../../../src/atlassian/jira/jira-search.ts';
import type { Connection } from '../../../../src/connections/connection.ts';
import { myself } from '../../../helpers/jira-myself.ts';
import { consent, type StackOptions, startTokenStack, type TokenStack } from '../../tokens/token-stack.ts';

async function connected(opts: StackOptions = {}): Promise<{ stack: TokenStack; connection: Connection }> {
  const stack = await startTokenStack(opts);
  if ((await consent(stack)).status !== 200) throw new Error('consent failed');
  const [connection] = await stack.services.connections.list();
  if (!connection) throw new Error('no connection');
  return { stack, connection };
}

const requestsTo = (stack: TokenStack, route: string) =>
  Object.entries(stack.sim.stats().requests)
    .filter(([key]) => key.includes(route))
    .reduce((sum, [, n]) => sum + n, 0);

/** A budget that only records what the client tells it (the real one is a later issue). */
function recordingBudget() {
  const before: BudgetedRequest[] = [];
  const after: Array<{ request: BudgetedRequest; response: BudgetedResponse }> = [];
  const budget: RequestBudget = {
    beforeRequest: async (request) => {
      before.push(request);
    },
    afterResponse: async (request, response) => {
      after.push({ request, response });
    },
  };
  return { budget, before, after };
}

describe('JiraClient against the simulator', () => {
  it('waits out a burst 429 for the Retry-After the simulator sends, then succeeds', async () => {
    const { stack, connection } = await connected({ sim: { burstGetPostPerSecond: 2 } });
    const jira = stack.jira(connection);

    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 5 }, () => myself(jira)));
    const elapsed = performance.now() - started;

    expect(results.map((me) => me.accountId)).toEqual(results.map(() => connection.accountIds[0]));
    expect(stack.sim.stats().rateLimited['jira-burst-based']).toBeGreaterThanOrEqual(3);
    // The test stack's own backoff is 20 ms: only honouring Retry-After (1 s) makes this this slow.
    expect(elapsed).toBeGreaterThanOrEqual(1000);
  });

  it('hands a quota 429 back at once, with the reason and the delay until the reset', async () => {
    const { stack, connection } = await connected({ sim: { pointsPerWindow: 12, burstGetPostPerSecond: 0 } });
    const jira = stack.jira(connection);
    let error: JiraHttpError | undefined;
    for (let i = 0; i < 20 && !error; i++) {
      error = await myself(jira).then(
        () => undefined,
        (err: JiraHttpError) => err,
      );
    }

    expect(error).toMatchObject({
      code: 'JIRA_RATE_LIMITED',
      status: 429,
      retryable: true,
      rateLimitReason: 'jira-quota-global-based',
    });
    const windowMs = 3_600_000;
    const untilReset = windowMs - (stack.sim.clock.now() % windowMs);
    expect(error?.retryAfterMs).toBeGreaterThanOrEqual(untilReset - 2000);
    expect(error?.retryAfterMs).toBeLessThanOrEqual(untilReset + 2000);
    expect(stack.sim.stats().rateLimited['jira-quota-global-based']).toBe(1);

    stack.sim.clock.advance(untilReset + 1000);
    expect(await myself(jira)).toHaveProperty('accountId');
  });

  it('retries 5xx for idempotent calls only, then reports a retryable error', async () => {
    // read:me: the consent learns the account from /me, which the 5xx fault does not touch.
    const { stack, connection } = await connected({
      sim: { errorRate: 1 },
      env: {
        JIRA_RETRY_LIMIT: '2',
        ATLASSIAN_SCOPES: 'read:jira-work read:jira-user read:me offline_access',
      },
    });
    const jira = stack.jira(connection);

    const failure = await myself(jira).catch((err: unknown) => err);
    expect(failure).toMatchObject({ code: 'JIRA_HTTP', status: 503, retryable: true });
    expect(requestsTo(stack, '/myself 503')).toBe(3);
    // Callers log failures as { err } (or their cause): the bearer token must not come along.
    stack.log.error({ err: (failure as Error).cause }, 'Jira call failed, cause');
    stack.log.error({ err: failure }, 'Jira call failed');
    const token = await stack.services.tokens.getAccessToken(connection);
    expect(stack.logs.at(-1)).toContain('503');
    expect(stack.logs.join('\n')).not.toContain(token);

    await expect(jira.post('search/jql', { jql: 'project = OPS' })).rejects.toMatchObject({ status: 503 });
    expect(requestsTo(stack, '/search/jql 503')).toBe(1);
    await expect(
      jira.post('search/jql', { jql: 'project = OPS' }, { idempotent: true }),
    ).rejects.toMatchObject({
      status: 503,
    });
    expect(requestsTo(stack, '/search/jql 503')).toBe(4);
  });

  it('recovers from transient 503s and times out a call that hangs, retrying it as idempotent', async () => {
    const { stack, connection } = await connected({
      env: { JIRA_REQUEST_TIMEOUT_MS: '150', JIRA_RETRY_LIMIT: '2' },
    });
    const jira = stack.jira(connection);

    stack.sim.setFaults({ failNext: [{ path: '/myself', status: 503, times: 2 }] });
    expect(await myself(jira)).toHaveProperty('accountId', connection.accountIds[0]);
    expect(requestsTo(stack, '/myself 503')).toBe(2);

    stack.sim.setFaults({ latencyMs: 400 });
    const started = performance.now();
    await expect(myself(jira)).rejects.toMatchObject({ code: 'JIRA_HTTP', status: null, retryable: true });
    expect(performance.now() - started).toBeLessThan(3000);
    stack.sim.setFaults({});
    expect(await myself(jira)).toHaveProperty('accountId');
  });

  it('refreshes once and retries once on a 401, and then gives up with the 401', async () => {
    // Without read:jira-user, `myself` answers "401 scope does not match" whatever the token.
    const { stack, connection } = await connected({
      env: { ATLASSIAN_SCOPES: 'read:jira-work read:me offline_access' },
    });

    await expect(myself(stack.jira(connection))).rejects.toMatchObject({ code: 'JIRA_HTTP', status: 401 });
    expect(requestsTo(stack, '/myself 401')).toBe(2);
    expect(stack.sim.stats().tokenRequests.refresh_token).toBe(1);
  });

  it('tells the budget about every attempt and every response, 429 headers included', async () => {
    const { stack, connection } = await connected({ sim: { burstGetPostPerSecond: 1 } });
    const { budget, before, after } = recordingBudget();
    const jira = stack.jira(connection, budget);

    await Promise.all([myself(jira), myself(jira)]);

    expect(before.length).toBe(after.length);
    expect(before.length).toBeGreaterThanOrEqual(3);
    expect(before[0]).toEqual({
      site: connection.siteHost,
      cloudId: connection.cloudId,
      method: 'GET',
      routeClass: 'myself',
      estimatedCost: 3,
    });
    const limited = after.find(({ response }) => response.status === 429);
    expect(limited?.response.headers['ratelimit-reason']).toBe('jira-burst-based');
  });

  it('iterates search/jql pages by nextPageToken until the last page, and stops at the page cap', async () => {
    const { stack, connection } = await connected({ sim: { issuesPerSite: 120 } });
    const jira = stack.jira(connection);
    const jql = 'project = OPS ORDER BY id ASC';
    const everything = await jira.post<{ issues: { id: string }[] }>(
      'search/jql',
      { jql, maxResults: 5000 },
      { idempotent: true },
    );
    const expected = everything.issues.map((i) => i.id);
    expect(expected.length).toBeGreaterThan(20);

    const pages: SearchPage[] = [];
    for await (const page of searchJql(
      jira,
      { jql, fields: ['summary', 'updated'] },
      { pageSize: 10, maxPages: 100 },
    )) {
      pages.push(page);
    }
    expect(pages.flatMap((p) => p.issues.map((i) => i.id))).toEqual(expected);
    expect(pages.at(-1)?.nextPageToken).toBeNull();
    expect(pages.every((p) => p.issues.every((i) => typeof i.fields.summary === 'string'))).toBe(true);

    const capped: SearchPage[] = [];
    for await (const page of searchJql(jira, { jql }, { pageSize: 10, maxPages: 2, log: stack.log }))
      capped.push(page);
    expect(capped).toHaveLength(2);
    expect(stack.logs.some((line) => line.includes('page cap'))).toBe(true);
  });

  it('stops on an empty page even when it carries a token', async () => {
    const { stack, connection } = await connected();
    scriptSearchPages(stack, [
      { ids: ['1'], next: 't1' },
      { ids: [], next: 't2' },
      { ids: ['3'], next: null },
    ]);
    const pages = await allPages(stack, connection);
    expect(pages.map((p) => p.issues.map((i) => i.id))).toEqual([['1']]);
    expect(requestsTo(stack, 'search/jql')).toBe(2);
  });

  it('stops, and says so, when the server repeats a page token', async () => {
    const { stack, connection } = await connected();
    scriptSearchPages(stack, [
      { ids: ['1'], next: 't1' },
      { ids: ['2'], next: 't1' },
      { ids: ['2'], next: 't1' },
      { ids: ['3'], next: null },
    ]);
    const pages = await allPages(stack, connection);
    expect(pages.map((p) => p.issues.map((i) => i.id))).toEqual([['1'], ['2']]);
    expect(pages.map((p) => p.nextPageToken)).toEqual(['t1', 't1']);
    expect(requestsTo(stack, 'search/jql')).toBe(2);
    expect(stack.logs.some((line) => line.includes('repeated a page token'))).toBe(true);
  });
});

/** The next search/jql calls answer these pages, in order (status 200 with scripted bodies). */
function scriptSearchPages(stack: TokenStack, pages: readonly { ids: string[]; next: string | null }[]) {
  stack.sim.setFaults({
    failNext: pages.map(({ ids, next }) => ({
      path: 'search/jql',
      status: 200,
      body: { issues: ids.map((id) => ({ id, key: `OPS-${id}`, fields: {} })), nextPageToken: next },
    })),
  });
}

async function allPages(stack: TokenStack, connection: Connection): Promise<SearchPage[]> {
  const pages: SearchPage[] = [];
  const options = { pageSize: 10, maxPages: 100, log: stack.log };
  for await (const page of searchJql(stack.jira(connection), { jql: 'project = OPS' }, options))
    pages.push(page);
  return pages;
}

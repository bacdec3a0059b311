import got, { RequestError } from 'got';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.ts';
import { jiraRequest, type LooseJson, obtainTokens } from '../../sim/test-client.ts';
import { WebhookReceiver } from '../../sim/webhook-receiver.ts';

let sim: Simulator;
let token: string;
let cloudId: string;
let receiver: WebhookReceiver;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, sites: 1, issuesPerSite: 10 });
  token = (await obtainTokens(sim.url)).access_token;
  cloudId = sim.sites[0]?.cloudId as string;
  receiver = new WebhookReceiver();
  sim.control.registerAdminWebhook(cloudId, {
    url: await receiver.start(),
    events: ['jira:issue_created', 'jira:issue_updated', 'comment_created'],
  });
});
afterAll(async () => {
  await sim.close();
  await receiver.close();
});
beforeEach(() => {
  receiver.received.length = 0;
});
afterEach(() => {
  sim.setFaults({});
});

const api = () => `${sim.url}/ex/jira/${cloudId}/rest/api/3`;

/** A got call as the relay makes it: bearer token, JSON, no retries, a short timeout. */
function write(method: 'POST' | 'PUT', path: string, json: unknown, timeoutMs = 2000) {
  return got(`${api()}${path}`, {
    method,
    json,
    headers: { authorization: `Bearer ${token}` },
    retry: { limit: 0 },
    timeout: { request: timeoutMs },
    responseType: 'json',
  });
}

function jira(method: string, path: string, body?: unknown) {
  return jiraRequest({ simUrl: sim.url, token, cloudId }, method, path, body);
}

/** The failure got reports (a RequestError with a code), or undefined when the call succeeded. */
async function failureOf(call: Promise<unknown>): Promise<RequestError | undefined> {
  try {
    await call;
    return undefined;
  } catch (err) {
    if (err instanceof RequestError) return err;
    throw err;
  }
}

const newIssue = (summary: string) => ({
  fields: { project: { key: 'OPS' }, issuetype: { name: 'Task' }, summary },
});

async function issueCount(): Promise<number> {
  const state = (await (await fetch(`${sim.url}/_sim/state`)).json()) as LooseJson;
  return state.sites[0].issues;
}

describe('afterWrite faults: the write happens, its answer is lost or late', () => {
  it('drop: POST /issue gets a socket error, yet the issue exists and its webhook was delivered', async () => {
    const before = await issueCount();
    sim.setFaults({ afterWrite: [{ method: 'POST', path: 'issue', mode: 'drop' }] });
    const err = await failureOf(write('POST', '/issue', newIssue('created though dropped')));
    expect(err?.code).toBe('ECONNRESET');
    expect(err?.response).toBeUndefined(); // no status, no body: nothing came back

    expect(await issueCount()).toBe(before + 1);
    const [created] = await receiver.waitFor((r) =>
      r.some((d) => d.body.issue?.fields?.summary === 'created though dropped'),
    );
    expect(created?.body.webhookEvent).toBe('jira:issue_created');
    const key = created?.body.issue.key as string;
    const fetched = await jira('GET', `/issue/${key}?fields=summary`);
    expect(fetched.status).toBe(200);
    expect(fetched.json.fields.summary).toBe('created though dropped');

    // Spent: the next create answers normally.
    const next = await write('POST', '/issue', newIssue('answered'));
    expect(next.statusCode).toBe(201);
  });

  it('slow: a got call with a 200 ms timeout times out while the issue already exists', async () => {
    sim.setFaults({ afterWrite: [{ method: 'POST', route: '/issue', mode: 'slow', delayMs: 800 }] });
    const started = Date.now();
    const err = await failureOf(write('POST', '/issue', newIssue('created though slow'), 200));
    expect(err?.code).toBe('ETIMEDOUT');
    expect(Date.now() - started).toBeLessThan(700);
    const search = await jira('POST', '/search/jql', {
      jql: 'summary ~ "created though slow"',
      fields: ['summary'],
    });
    expect(search.json.issues).toHaveLength(1);
    await receiver.waitFor((r) => r.some((d) => d.body.issue?.fields?.summary === 'created though slow'));
  });

  it('is set over HTTP too, counts `times`, and only successful writes matching it spend it', async () => {
    const set = await fetch(`${sim.url}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ afterWrite: [{ method: 'POST', path: 'comment', mode: 'drop', times: 2 }] }),
    });
    expect(set.status).toBe(204);
    const adf = { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [] }] };
    // Reads by POST, other methods, refused writes and other paths leave the rule alone.
    expect((await jira('POST', '/comment/list', { ids: [1] })).status).toBe(200);
    expect((await jira('POST', '/issue/OPS-1/comment', { body: 'not ADF' })).status).toBe(400);
    expect((await write('PUT', '/issue/OPS-1', { fields: { summary: 'edited' } })).statusCode).toBe(204);

    const first = await failureOf(write('POST', '/issue/OPS-1/comment', { body: adf }));
    const second = await failureOf(write('POST', '/issue/OPS-2/comment', { body: adf }));
    expect([first?.code, second?.code]).toEqual(['ECONNRESET', 'ECONNRESET']);
    const third = await write('POST', '/issue/OPS-3/comment', { body: adf });
    expect(third.statusCode).toBe(201);
    for (const key of ['OPS-1', 'OPS-2']) {
      expect((await jira('GET', `/issue/${key}/comment`)).json.total).toBeGreaterThan(0);
    }
    await receiver.waitFor((r) => r.filter((d) => d.body.webhookEvent === 'comment_created').length === 3);
    expect(sim.stats().faults['afterWrite drop POST /issue/:issueIdOrKey/comment']).toBe(2);
  });

  it('drop on PUT /issue/{key} and POST transitions: the edit and the transition are applied', async () => {
    sim.setFaults({
      afterWrite: [
        { method: 'PUT', path: 'issue/', mode: 'drop' },
        { method: 'POST', path: 'transitions', mode: 'drop' },
      ],
    });
    const edit = await failureOf(
      write('PUT', '/issue/OPS-4', { fields: { summary: 'edit lost in transit' } }),
    );
    expect(edit?.code).toBe('ECONNRESET');
    const moved = await failureOf(write('POST', '/issue/OPS-4/transitions', { transition: { id: '41' } }));
    expect(moved?.code).toBe('ECONNRESET');
    const issue = await jira('GET', '/issue/OPS-4?fields=summary,status');
    expect(issue.json.fields.summary).toBe('edit lost in transit');
    expect(issue.json.fields.status.name).toBe('Done');
  });
});

import { createHmac } from 'node:crypto';
import { jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.ts';
import { jiraRequest, type LooseJson, obtainTokens } from '../../sim/test-client.ts';
import { WebhookReceiver } from '../../sim/webhook-receiver.ts';

let sim: Simulator;
let receiver: WebhookReceiver;
let hookUrl: string;
let token: string;
let cloudId: string;

beforeAll(async () => {
  sim = await startSimulator({
    port: 0,
    issuesPerSite: 30,
    webhookRetryDelaysMs: [20, 20, 20, 20, 20],
    webhookExpirySeconds: 60,
  });
  token = (await obtainTokens(sim.url)).access_token;
  cloudId = sim.sites[0]?.cloudId as string;
});
afterAll(async () => {
  await sim.close();
});
beforeEach(async () => {
  receiver = new WebhookReceiver();
  hookUrl = await receiver.start();
  await deleteAllWebhooks();
  sim.setFaults({});
});
afterEach(async () => {
  await receiver.close();
});

function jira(method: string, path: string, body?: unknown, site = cloudId) {
  return jiraRequest({ simUrl: sim.url, token, cloudId: site }, method, path, body);
}

async function register(webhooks: unknown[], url = hookUrl, site = cloudId) {
  return jira('POST', '/webhook', { url, webhooks }, site);
}

/** Polls a condition about the simulator's delivery log (set just after the receiver answers). */
async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** On every site: the app's one URL is app-wide, so a webhook left on any site pins it. */
async function deleteAllWebhooks(sites = sim.sites.map((s) => s.cloudId)) {
  for (const site of sites) {
    const list = await jira('GET', '/webhook', undefined, site);
    const ids = list.json.values.map((w: { id: number }) => w.id);
    if (ids.length > 0) await jira('DELETE', '/webhook', { webhookIds: ids }, site);
  }
}

const ONE_URL_ERROR = {
  errorMessages: ['Only a single URL per app is allowed to be registered.'],
  errors: {},
};

describe('registration', () => {
  it('answers 200 with per-item errors for unsupported JQL and events', async () => {
    const res = await register([
      { events: ['jira:issue_updated'], jqlFilter: 'project = OPS' },
      { events: ['jira:issue_updated'], jqlFilter: 'watchCount > 3' },
      { events: ['jira:issue_updated'], jqlFilter: 'project is not EMPTY' },
      { events: ['worklog_created'], jqlFilter: 'project = OPS' },
      { events: ['jira:issue_updated'], jqlFilter: 'project = OPS AND issue.property[relay].origin = sync' },
    ]);
    expect(res.status).toBe(200);
    const [ok, clause, operator, event, property] = res.json.webhookRegistrationResult;
    expect(property.createdWebhookId).toBeTypeOf('number'); // allowed by Jira's subset
    expect(ok.createdWebhookId).toBeTypeOf('number');
    expect(clause.errors).toEqual(['The clause watchCount is unsupported']);
    expect(operator.errors[0]).toMatch(/Operator is not is unsupported/);
    expect(event.errors[0]).toContain('worklog_created');
  });

  it('allows 5 webhooks per app per user on a site and one URL per app', async () => {
    const six = Array.from({ length: 6 }, () => ({
      events: ['comment_created'],
      jqlFilter: 'project = OPS',
    }));
    const res = await register(six);
    const results = res.json.webhookRegistrationResult;
    expect(
      results.slice(0, 5).every((r: { createdWebhookId?: number }) => typeof r.createdWebhookId === 'number'),
    ).toBe(true);
    expect(results[5].errors[0]).toContain('limit of 5');
    const other = await register(
      [{ events: ['comment_created'], jqlFilter: 'project = CRM' }],
      'http://127.0.0.1:1/elsewhere',
    );
    expect(other.status).toBe(400);
    expect(other.json).toEqual(ONE_URL_ERROR);
  });

  it('keeps one URL per app across every site of the app, not per site', async () => {
    const elsewhere = 'http://127.0.0.1:1/elsewhere';
    const otherSite = sim.sites[1]?.cloudId as string;
    const hook = [{ events: ['comment_created'], jqlFilter: 'project = OPS' }];
    expect((await register(hook)).json.webhookRegistrationResult[0].createdWebhookId).toBeTypeOf('number');

    // Another site has no webhook of its own yet, but the app's URL is already taken on the first.
    const refused = await register(hook, elsewhere, otherSite);
    expect(refused.status).toBe(400);
    expect(refused.json).toEqual(ONE_URL_ERROR);
    expect((await jira('GET', '/webhook', undefined, otherSite)).json.total).toBe(0);

    // The same URL is welcome on every site (what the relay does: one intake for all tenants).
    const same = await register(hook, hookUrl, otherSite);
    expect(same.status).toBe(200);
    expect(same.json.webhookRegistrationResult[0].createdWebhookId).toBeTypeOf('number');

    // Emptying the first site frees nothing while the other site still holds the URL...
    await deleteAllWebhooks([cloudId]);
    expect(await register(hook, elsewhere)).toMatchObject({ status: 400, json: ONE_URL_ERROR });
    // ...and once no site holds a webhook of the app, a new URL is accepted.
    await deleteAllWebhooks([otherSite]);
    const moved = await register(hook, elsewhere, otherSite);
    expect(moved.json.webhookRegistrationResult[0].createdWebhookId).toBeTypeOf('number');
  });

  it('expires after the configured days unless refreshed; refresh extends, delete removes', async () => {
    const id = (await register([{ events: ['jira:issue_updated'], jqlFilter: 'project = OPS' }])).json
      .webhookRegistrationResult[0].createdWebhookId;
    const listed = (await jira('GET', '/webhook')).json.values[0];
    expect(listed.expirationDate - sim.clock.now()).toBeGreaterThan(59_000);
    sim.clock.advance(61_000);
    sim.updateIssue(cloudId, 'OPS-1', { fields: { summary: 'after expiry' } });
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.received).toHaveLength(0); // nothing signals expiry: deliveries just stop
    const refreshed = await jira('PUT', '/webhook/refresh', { webhookIds: [id, 999_999] });
    expect(refreshed.json.expirationDate).toBeGreaterThan(sim.clock.now());
    sim.updateIssue(cloudId, 'OPS-1', { fields: { summary: 'after refresh' } });
    await receiver.waitFor((r) => r.length === 1);
    expect((await jira('DELETE', '/webhook', { webhookIds: [id] })).status).toBe(202);
    expect((await jira('GET', '/webhook')).json.total).toBe(0);
  });
});

describe('delivery', () => {
  it('posts v2-shaped bodies with a JWT signed with the client secret', async () => {
    const id = (await register([{ events: ['jira:issue_updated'], jqlFilter: 'project = OPS' }])).json
      .webhookRegistrationResult[0].createdWebhookId;
    sim.updateIssue(cloudId, 'OPS-1', { fields: { summary: 'Renamed', description: 'New *text*' } });
    const [delivery] = await receiver.waitFor((r) => r.length === 1);
    const body = delivery?.body ?? {};
    expect(body.webhookEvent).toBe('jira:issue_updated');
    expect(body.issue_event_type_name).toBe('issue_updated');
    expect(body.matchedWebhookIds).toEqual([id]);
    expect(body.issue.self).toBe(`${sim.sites[0]?.url}/rest/api/2/issue/${body.issue.id}`);
    expect(body.issue.fields.description).toBe('New *text*'); // wiki markup, not ADF
    expect(body.changelog.items.map((i: { field: string }) => i.field)).toEqual(['summary', 'description']);
    expect(body.user.accountId).toBe(sim.users[0]?.accountId);
    const headers = delivery?.headers ?? {};
    expect(headers['x-atlassian-webhook-flow']).toBe('Primary');
    expect(headers['x-atlassian-webhook-retry']).toBeUndefined();
    const jwt = String(headers.authorization).replace(/^Bearer /, '');
    const { payload } = await jwtVerify(jwt, new TextEncoder().encode(sim.clientSecret), {
      algorithms: ['HS256'],
    });
    expect(payload.exp).toBeGreaterThan(Date.now() / 1000);
    await expect(jwtVerify(jwt, new TextEncoder().encode('wrong-secret'))).rejects.toThrow();
  });

  it('retries on 5xx and 429 with the same identifier and a retry count, and not on other 4xx', async () => {
    await register([{ events: ['comment_created'], jqlFilter: 'project in (OPS, CRM, WEB)' }]);
    receiver.statuses = [503, 429, 200];
    sim.addComment(cloudId, 'OPS-1', 'first');
    const attempts = await receiver.waitFor((r) => r.length === 3);
    expect(new Set(attempts.map((a) => a.headers['x-atlassian-webhook-identifier'])).size).toBe(1);
    expect(attempts.map((a) => a.headers['x-atlassian-webhook-retry'])).toEqual([undefined, '1', '2']);
    receiver.statuses = [400];
    sim.addComment(cloudId, 'OPS-1', 'second');
    await receiver.waitFor((r) => r.length === 4);
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.received).toHaveLength(4);
    const record = sim.control.deliveries().at(-1);
    expect(record?.state).toBe('failed');
  });

  it('retries on 408, 409 and 425 as well, with the same identifier and a growing retry count', async () => {
    await register([{ events: ['comment_created'], jqlFilter: 'project = OPS' }]);
    receiver.statuses = [408, 409, 425, 200];
    sim.addComment(cloudId, 'OPS-1', 'conflicted');
    const attempts = await receiver.waitFor((r) => r.length === 4);
    expect(new Set(attempts.map((a) => a.headers['x-atlassian-webhook-identifier'])).size).toBe(1);
    expect(attempts.map((a) => a.headers['x-atlassian-webhook-retry'])).toEqual([undefined, '1', '2', '3']);
    await until(() => sim.control.deliveries().at(-1)?.state === 'delivered');
    expect(sim.control.deliveries().at(-1)?.statuses).toEqual([408, 409, 425, 200]);
  });

  it('retries a delivery whose receiver does not answer in time, with the same identifier', async () => {
    const slow = await startSimulator({
      port: 0,
      sites: 1,
      issuesPerSite: 30,
      webhookRetryDelaysMs: [20, 20, 20, 20, 20],
      webhookTimeoutMs: 150,
    });
    try {
      const slowToken = (await obtainTokens(slow.url)).access_token;
      const site = slow.sites[0]?.cloudId as string;
      const res = await fetch(`${slow.url}/ex/jira/${site}/rest/api/3/webhook`, {
        method: 'POST',
        headers: { authorization: `Bearer ${slowToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          url: hookUrl,
          webhooks: [{ events: ['comment_created'], jqlFilter: 'project = OPS' }],
        }),
      });
      expect(((await res.json()) as LooseJson).webhookRegistrationResult[0].createdWebhookId).toBeTypeOf(
        'number',
      );
      receiver.delaysMs = [600]; // the first answer comes long after the 150 ms timeout
      slow.addComment(site, 'OPS-1', 'slow receiver');
      const attempts = await receiver.waitFor((r) => r.length === 2);
      expect(attempts.map((a) => a.headers['x-atlassian-webhook-retry'])).toEqual([undefined, '1']);
      expect(new Set(attempts.map((a) => a.headers['x-atlassian-webhook-identifier'])).size).toBe(1);
      await until(() => slow.control.deliveries().at(-1)?.state === 'delivered');
      expect(slow.control.deliveries().at(-1)?.statuses).toEqual([0, 200]); // 0: timed out
    } finally {
      await slow.close();
    }
  });

  it('gives up after 5 retries', async () => {
    await register([{ events: ['comment_created'], jqlFilter: 'project = OPS' }]);
    receiver.statuses = [500, 500, 500, 500, 500, 500, 500];
    const before = sim.stats().webhooks.failures;
    sim.addComment(cloudId, 'OPS-1', 'doomed');
    await receiver.waitFor((r) => r.length === 6);
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.received).toHaveLength(6);
    expect(sim.stats().webhooks.failures).toBe(before + 1);
  });

  it('sends comment events with a trimmed issue and no user; a comment also raises issue_updated', async () => {
    await register([{ events: ['comment_created', 'jira:issue_updated'], jqlFilter: 'project = OPS' }]);
    sim.addComment(cloudId, 'OPS-1', 'hello');
    const received = await receiver.waitFor((r) => r.length === 2);
    const comment = received.find((d) => d.body.webhookEvent === 'comment_created')?.body ?? {};
    expect(comment.user).toBeUndefined();
    expect(Object.keys(comment.issue.fields).sort()).toEqual([
      'assignee',
      'issuetype',
      'priority',
      'project',
      'status',
      'summary',
    ]);
    expect(comment.comment.body).toBe('hello');
    const updated = received.find((d) => d.body.webhookEvent === 'jira:issue_updated')?.body ?? {};
    expect(updated.issue_event_type_name).toBe('issue_commented');
    expect(updated.comment.id).toBe(comment.comment.id);
  });

  it('honours fieldIdsFilter', async () => {
    await register([
      { events: ['jira:issue_updated'], jqlFilter: 'project = OPS', fieldIdsFilter: ['summary'] },
    ]);
    sim.updateIssue(cloudId, 'OPS-1', { fields: { labels: ['ignored'] } });
    sim.updateIssue(cloudId, 'OPS-1', { fields: { summary: 'counted' } });
    const [only] = await receiver.waitFor((r) => r.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(receiver.received).toHaveLength(1);
    expect(only?.body.changelog.items[0].field).toBe('summary');
  });

  it('sends jira:issue_deleted as Primary and the comments of the issue as Secondary', async () => {
    await register([
      { events: ['jira:issue_deleted', 'comment_deleted'], jqlFilter: 'project in (OPS, CRM, WEB)' },
    ]);
    const { key } = sim.createIssue(cloudId, { fields: { summary: 'short-lived' } });
    sim.addComment(cloudId, key, 'c1');
    sim.deleteIssue(cloudId, key);
    const received = await receiver.waitFor((r) => r.length === 2);
    const flows = Object.fromEntries(
      received.map((d) => [d.body.webhookEvent, d.headers['x-atlassian-webhook-flow']]),
    );
    expect(flows).toEqual({ 'jira:issue_deleted': 'Primary', comment_deleted: 'Secondary' });
  });

  it('admin webhooks carry an X-Hub-Signature HMAC of the raw body instead of a JWT', async () => {
    sim.control.registerAdminWebhook(cloudId, {
      url: hookUrl,
      events: ['jira:issue_created'],
      secret: "It's a Secret to Everybody",
    });
    sim.createIssue(cloudId, { fields: { summary: 'signed' } });
    const [delivery] = await receiver.waitFor((r) => r.length === 1);
    const expected = `sha256=${createHmac('sha256', "It's a Secret to Everybody")
      .update(delivery?.raw ?? '')
      .digest('hex')}`;
    expect(delivery?.headers['x-hub-signature']).toBe(expected);
    expect(delivery?.headers.authorization).toBeUndefined();
    expect(delivery?.body.matchedWebhookIds).toBeUndefined();
  });
});

describe('delivery faults', () => {
  it('pretends statuses for the next attempts (webhookFailNext): the receiver sees every retry', async () => {
    await register([{ events: ['comment_created'], jqlFilter: 'project = OPS' }]);
    sim.setFaults({ webhookFailNext: [503, 500] });
    sim.addComment(cloudId, 'OPS-1', 'forced retries');
    const attempts = await receiver.waitFor((r) => r.length === 3);
    expect(attempts.map((a) => a.headers['x-atlassian-webhook-retry'])).toEqual([undefined, '1', '2']);
    expect(new Set(attempts.map((a) => a.headers['x-atlassian-webhook-identifier'])).size).toBe(1);
    await until(() => sim.control.deliveries().at(-1)?.state === 'delivered');
    expect(sim.control.deliveries().at(-1)?.statuses).toEqual([503, 500, 200]);
  });

  it('drops, duplicates and shuffles deliveries on demand', async () => {
    await register([{ events: ['comment_created'], jqlFilter: 'project = OPS' }]);
    sim.setFaults({ webhookDropRate: 1 });
    sim.addComment(cloudId, 'OPS-1', 'lost');
    await new Promise((r) => setTimeout(r, 50));
    expect(receiver.received).toHaveLength(0);
    sim.setFaults({ webhookDuplicateRate: 1 });
    sim.addComment(cloudId, 'OPS-1', 'twice');
    const twice = await receiver.waitFor((r) => r.length === 2);
    await until(() =>
      sim.control
        .deliveries()
        .slice(-2)
        .every((d) => d.state === 'delivered'),
    );
    expect(twice[0]?.headers['x-atlassian-webhook-identifier']).toBe(
      twice[1]?.headers['x-atlassian-webhook-identifier'],
    );
    sim.setFaults({ webhookShuffleWindowMs: 50 });
    for (let i = 0; i < 12; i++) sim.addComment(cloudId, 'OPS-1', `n${i}`);
    const all = await receiver.waitFor((r) => r.length === 14);
    const order = all.slice(2).map((d) => Number(String(d.body.comment.body).slice(1)));
    expect(order).not.toEqual([...order].sort((a, b) => a - b)); // 1 in 479,001,600 to be sorted by chance
  });
});

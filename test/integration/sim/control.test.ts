import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.ts';
import { type LooseJson, obtainTokens } from '../../sim/test-client.ts';
import { WebhookReceiver } from '../../sim/webhook-receiver.ts';

let sim: Simulator;
let cloudId: string;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, issuesPerSite: 10 });
  cloudId = sim.sites[0]?.cloudId as string;
});
afterAll(async () => {
  await sim.close();
});

async function control(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: LooseJson }> {
  const res = await fetch(`${sim.url}/_sim${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

describe('/_sim control API', () => {
  it('reports sites, counts and users', async () => {
    const { json } = await control('GET', '/state');
    expect(json.sites).toHaveLength(2);
    expect(json.sites[0]).toMatchObject({ cloudId, issues: 10, url: sim.sites[0]?.url });
    expect(json.users[0].timeZone).toBeTypeOf('string');
  });

  it('acts in Jira as a person: every change lands in the changelog and fires webhooks', async () => {
    const receiver = new WebhookReceiver();
    const url = await receiver.start();
    await control('POST', `/sites/${cloudId}/admin-webhooks`, {
      url,
      events: [
        'jira:issue_created',
        'jira:issue_updated',
        'comment_created',
        'comment_updated',
        'comment_deleted',
        'jira:issue_deleted',
      ],
    });
    const actor = sim.users[1]?.accountId;
    const created = await control('POST', `/sites/${cloudId}/issues`, {
      fields: { summary: 'From the demo', description: 'plain text becomes ADF' },
      actorAccountId: actor,
    });
    expect(created.status).toBe(201);
    const key = created.json.key as string;
    const moved = await control('PATCH', `/sites/${cloudId}/issues/${key}`, {
      status: 'Done',
      fields: { priority: { name: 'Highest' } },
    });
    expect(moved.status).toBe(200);
    const comment = await control('POST', `/sites/${cloudId}/issues/${key}/comments`, { body: 'looks good' });
    expect(
      (
        await control('PATCH', `/sites/${cloudId}/issues/${key}/comments/${comment.json.id}`, {
          body: 'looks great',
        })
      ).status,
    ).toBe(204);
    expect(
      (await control('DELETE', `/sites/${cloudId}/issues/${key}/comments/${comment.json.id}`)).status,
    ).toBe(204);

    const token = (await obtainTokens(sim.url)).access_token;
    const changelog = (await (
      await fetch(`${sim.url}/ex/jira/${cloudId}/rest/api/3/issue/${key}/changelog`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as LooseJson;
    const fields = changelog.values.flatMap((h: { items: Array<{ field: string }> }) =>
      h.items.map((i) => i.field),
    );
    expect(fields).toEqual(expect.arrayContaining(['priority', 'status', 'resolution']));

    expect((await control('DELETE', `/sites/${cloudId}/issues/${key}`)).status).toBe(204);
    const events = await receiver.waitFor((r) => r.some((d) => d.body.webhookEvent === 'jira:issue_deleted'));
    // Jira does not promise delivery order, and neither do concurrent POSTs: compare as multisets.
    expect(events.map((d) => d.body.webhookEvent).sort()).toEqual(
      [
        'jira:issue_created',
        'jira:issue_updated',
        'comment_created',
        'jira:issue_updated',
        'comment_updated',
        'jira:issue_updated',
        'comment_deleted',
        'jira:issue_updated',
        'jira:issue_deleted',
      ].sort(),
    );
    expect(events.find((d) => d.body.webhookEvent === 'jira:issue_created')?.body.user.accountId).toBe(actor);
    await receiver.close();
  });

  it('counts requests per route and status, token requests by grant type and points per site', async () => {
    const token = (await obtainTokens(sim.url)).access_token;
    await fetch(`${sim.url}/ex/jira/${cloudId}/rest/api/3/search/jql?jql=updated%3E%3D0&maxResults=3`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await fetch(`${sim.url}/ex/jira/${cloudId}/rest/api/3/myself`);
    const { json } = await control('GET', '/stats');
    expect(json.requests['GET /ex/jira/:cloudId/rest/api/3/search/jql 200']).toBeGreaterThanOrEqual(1);
    expect(json.requests['GET /ex/jira/:cloudId/rest/api/3/myself 401']).toBe(1);
    expect(json.tokenRequests.authorization_code).toBeGreaterThanOrEqual(1);
    expect(json.pointsBySite[cloudId]).toBeGreaterThanOrEqual(4);
  });

  it('sets and clears faults, expires tokens, revokes grants, picks the consenting user and moves the clock', async () => {
    const token = (await obtainTokens(sim.url)).access_token;
    const myself = () =>
      fetch(`${sim.url}/ex/jira/${cloudId}/rest/api/3/myself`, {
        headers: { authorization: `Bearer ${token}` },
      });
    await control('POST', '/faults', { errorRate: 1 });
    expect((await myself()).status).toBe(503);
    await control('POST', '/faults', {});
    expect((await myself()).status).toBe(200);
    expect((await control('POST', '/tokens/expire', {})).json.expired).toBeGreaterThan(0);
    expect((await myself()).status).toBe(401);

    const user = sim.users[4]?.accountId as string;
    await control('POST', '/consent-user', { accountId: user });
    const theirs = (await obtainTokens(sim.url)).access_token;
    const me = (await (
      await fetch(`${sim.url}/ex/jira/${cloudId}/rest/api/3/myself`, {
        headers: { authorization: `Bearer ${theirs}` },
      })
    ).json()) as LooseJson;
    expect(me.accountId).toBe(user);
    expect((await control('POST', `/grants/${encodeURIComponent(user)}/revoke`)).json.revoked).toBe(true);

    const before = (await control('GET', '/state')).json.now;
    const after = (await control('POST', '/clock/advance', { ms: 60_000 })).json.now;
    expect(after - before).toBeGreaterThanOrEqual(60_000);
    expect((await control('PATCH', `/sites/${cloudId}/issues/NOPE-1`, {})).status).toBe(404);
  });
});

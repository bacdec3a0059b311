import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.ts';
import { obtainTokens } from '../../sim/test-client.ts';

let sim: Simulator;
let token: string;
let base: string;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, sites: 1, issuesPerSite: 250 });
  token = (await obtainTokens(sim.url)).access_token;
  base = `${sim.url}/ex/jira/${sim.sites[0]?.cloudId}/rest/api/3`;
});
afterAll(async () => {
  await sim.close();
});

interface SearchBody {
  issues: Array<{ id: string; key: string; fields?: Record<string, unknown> }>;
  nextPageToken?: string;
  isLast: boolean;
}

async function get(
  query: Record<string, string>,
): Promise<{ status: number; body: SearchBody & { errorMessages?: string[] } }> {
  const res = await fetch(`${base}/search/jql?${new URLSearchParams(query)}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, body: (await res.json()) as SearchBody };
}

async function post(body: Record<string, unknown>): Promise<{ status: number; body: SearchBody }> {
  const res = await fetch(`${base}/search/jql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as SearchBody };
}

describe('search/jql basics', () => {
  it('returns only ids by default and no total or startAt', async () => {
    const { status, body } = await get({ jql: 'project = OPS', maxResults: '5' });
    expect(status).toBe(200);
    expect(body.issues).toHaveLength(5);
    expect(Object.keys(body.issues[0] ?? {}).sort()).toEqual(['expand', 'id', 'key', 'self']);
    expect(body).not.toHaveProperty('total');
    expect(body).not.toHaveProperty('startAt');
    expect(body.isLast).toBe(false);
  });

  it('pages with nextPageToken through every matching issue exactly once, in updated/id order', async () => {
    const seen: string[] = [];
    const updated: number[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const { status, body } = await post({
        jql: 'project in (OPS, CRM, WEB) AND updated >= 0 ORDER BY updated ASC, id ASC',
        maxResults: 40,
        fields: ['updated'],
        ...(pageToken ? { nextPageToken: pageToken } : {}),
      });
      expect(status).toBe(200);
      for (const issue of body.issues) {
        seen.push(issue.id);
        updated.push(Date.parse(String(issue.fields?.updated).replace(/([+-]\d\d)(\d\d)$/, '$1:$2')));
      }
      pageToken = body.nextPageToken;
      expect(body.isLast).toBe(pageToken === undefined);
      pages++;
    } while (pageToken && pages < 20);
    expect(pages).toBe(7);
    expect(new Set(seen).size).toBe(250);
    expect(updated).toEqual([...updated].sort((a, b) => a - b));
  });

  it('refuses unbounded and empty JQL, and unknown fields, with 400', async () => {
    expect((await get({ jql: 'order by key desc' })).status).toBe(400);
    expect((await get({ jql: '' })).status).toBe(400);
    const bad = await get({ jql: 'watchCount = 3' });
    expect(bad.status).toBe(400);
    expect(bad.body.errorMessages?.[0]).toContain("Field 'watchCount' does not exist");
  });

  it('caps pages at 100 issues when real fields are requested and allows 5000 ids', async () => {
    const full = await get({ jql: 'updated >= 0', maxResults: '1000', fields: 'summary' });
    expect(full.body.issues).toHaveLength(100);
    const ids = await get({ jql: 'updated >= 0', maxResults: '1000' });
    expect(ids.body.issues).toHaveLength(250);
  });
});

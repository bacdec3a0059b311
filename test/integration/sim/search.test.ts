import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.ts';
import { type LooseJson, obtainTokens } from '../../sim/test-client.ts';

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

describe('search/jql time zones and embedded comments', () => {
  // 2026-07-01T10:31:20Z; the caller below lives in America/New_York (UTC-4 in July).
  const T = Date.UTC(2026, 6, 1, 10, 31, 20);
  let tz: Simulator;
  let nyToken: string;
  let key: string;

  beforeAll(async () => {
    tz = await startSimulator({ port: 0, sites: 1, issuesPerSite: 5, now: () => T });
    const ny = tz.users.find((u) => u.timeZone === 'America/New_York');
    nyToken = (await obtainTokens(tz.url, { loginHint: ny?.accountId as string })).access_token;
    key = tz.createIssue(tz.sites[0]?.cloudId as string, { fields: { summary: 'fresh' } }).key;
    for (let i = 0; i < 25; i++) tz.addComment(tz.sites[0]?.cloudId as string, key, `comment ${i}`);
  });
  afterAll(async () => {
    await tz.close();
  });

  async function keys(jql: string, fields = 'updated'): Promise<SearchBody> {
    const url = `${tz.url}/ex/jira/${tz.sites[0]?.cloudId}/rest/api/3/search/jql?${new URLSearchParams({ jql, fields })}`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${nyToken}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as SearchBody;
  }

  it('reads "yyyy/MM/dd HH:mm" in the caller\'s time zone, so a UTC-formatted cursor misses the update', async () => {
    const utcCursor = await keys('updated >= "2026/07/01 10:30"');
    expect(utcCursor.issues.map((i) => i.key)).not.toContain(key);
    const localCursor = await keys('updated >= "2026/07/01 06:30"');
    expect(localCursor.issues.map((i) => i.key)).toContain(key);
    const epoch = await keys(`updated >= ${Date.UTC(2026, 6, 1, 10, 30)}`);
    expect(epoch.issues.map((i) => i.key)).toContain(key);
  });

  it("has minute granularity for date strings and returns dates in the caller's offset", async () => {
    expect((await keys('updated > "2026/07/01 06:31"')).issues.map((i) => i.key)).not.toContain(key);
    expect((await keys('updated <= "2026/07/01 06:31"')).issues.map((i) => i.key)).toContain(key);
    const found = (await keys(`key = ${key}`)).issues[0];
    expect(found?.fields?.updated).toBe('2026-07-01T06:31:20.000-0400');
  });

  it('embeds at most 20 comments per issue while the total tells the truth', async () => {
    const page = await keys(`key = ${key}`, 'comment');
    const comment = page.issues[0]?.fields?.comment as {
      comments: unknown[];
      total: number;
      maxResults: number;
    };
    expect(comment.comments).toHaveLength(20);
    expect(comment.total).toBe(25);
    const all = await fetch(
      `${tz.url}/ex/jira/${tz.sites[0]?.cloudId}/rest/api/3/issue/${key}/comment?startAt=20&maxResults=10`,
      {
        headers: { authorization: `Bearer ${nyToken}` },
      },
    );
    const rest = (await all.json()) as { comments: unknown[]; total: number };
    expect(rest.comments).toHaveLength(5);
  });

  it('refuses a token minted for another query or older than 7 days', async () => {
    const first = await keys('updated >= 0 ORDER BY updated ASC, id ASC');
    expect(first.isLast).toBe(true);
    const url = `${tz.url}/ex/jira/${tz.sites[0]?.cloudId}/rest/api/3/search/jql`;
    const page = (await (
      await fetch(
        `${url}?${new URLSearchParams({ jql: 'updated >= 0 ORDER BY updated ASC, id ASC', maxResults: '2' })}`,
        {
          headers: { authorization: `Bearer ${nyToken}` },
        },
      )
    ).json()) as LooseJson;
    const other = await fetch(
      `${url}?${new URLSearchParams({ jql: 'project = OPS', nextPageToken: page.nextPageToken })}`,
      {
        headers: { authorization: `Bearer ${nyToken}` },
      },
    );
    expect(other.status).toBe(400);
    tz.clock.advance(7 * 86_400_000 + 1000);
    const ny = tz.users.find((u) => u.timeZone === 'America/New_York');
    const later = (await obtainTokens(tz.url, { loginHint: ny?.accountId as string })).access_token;
    const jql = 'updated >= 0 ORDER BY updated ASC, id ASC';
    const stale = await fetch(`${url}?${new URLSearchParams({ jql, nextPageToken: page.nextPageToken })}`, {
      headers: { authorization: `Bearer ${later}` },
    });
    expect(stale.status).toBe(400);
  });
});

describe('search/jql consistency', () => {
  it('lags behind writes unless the issue is named in reconcileIssues', async () => {
    const lagging = await startSimulator({ port: 0, sites: 1, issuesPerSite: 5, searchLagMs: 5000 });
    try {
      const cloudId = lagging.sites[0]?.cloudId as string;
      const access = (await obtainTokens(lagging.url)).access_token;
      const { id } = lagging.createIssue(cloudId, { fields: { summary: 'just written' } });
      const find = async (extra: Record<string, unknown> = {}) => {
        const res = await fetch(`${lagging.url}/ex/jira/${cloudId}/rest/api/3/search/jql`, {
          method: 'POST',
          headers: { authorization: `Bearer ${access}`, 'content-type': 'application/json' },
          body: JSON.stringify({ jql: 'updated >= -1d', maxResults: 100, ...extra }),
        });
        return ((await res.json()) as SearchBody).issues.map((i) => i.id);
      };
      expect(await find()).not.toContain(id);
      expect(await find({ reconcileIssues: [Number(id)] })).toContain(id);
      lagging.clock.advance(5000);
      expect(await find()).toContain(id);
    } finally {
      await lagging.close();
    }
  });
});

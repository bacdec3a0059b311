import { afterEach, describe, expect, it } from 'vitest';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../sim/index.ts';
import { obtainTokens } from '../../sim/test-client.ts';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function setup(options: SimulatorOptions) {
  sim = await startSimulator({ port: 0, sites: 2, issuesPerSite: 30, ...options });
  const token = (await obtainTokens(sim.url)).access_token;
  const s = sim;
  const call = (site: number, method: string, path: string, body?: unknown) =>
    fetch(`${s.url}/ex/jira/${s.sites[site]?.cloudId}/rest/api/3${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  return { sim: s, call };
}

const HOUR = 3_600_000;

describe('points quota', () => {
  it('charges 1 + objects returned, shares one pool across sites, and refuses until the top of the hour', async () => {
    // Start 10 minutes into an hour so the reset is a known distance away.
    const start = Math.floor(Date.now() / HOUR) * HOUR + 10 * 60_000;
    const { sim, call } = await setup({ pointsPerWindow: 50, now: () => start });
    const page = await call(0, 'GET', '/search/jql?jql=updated%3E%3D0&maxResults=20');
    expect(page.status).toBe(200);
    expect(sim.stats().pointsThisWindow).toBe(21);
    expect((await call(1, 'GET', '/search/jql?jql=updated%3E%3D0&maxResults=20')).status).toBe(200);
    expect(sim.stats().pointsBySite[sim.sites[1]?.cloudId as string]).toBe(21);
    const near = await call(0, 'GET', '/myself');
    expect(near.headers.get('beta-ratelimit-policy')).toBe('"global-app-quota";q=50;w=3600');
    expect(near.headers.get('beta-ratelimit')).toBe('"global-app-quota";r=5;t=3000');
    expect(sim.stats().pointsThisWindow).toBe(45); // myself: 1 + one user, an identity object at 2
    await call(0, 'GET', '/myself'); // 48: still under the quota, so the next request is served...
    await call(1, 'GET', '/search/jql?jql=updated%3E%3D0&maxResults=20'); // ...and overdraws it to 69
    const refused = await call(1, 'GET', '/myself');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('ratelimit-reason')).toBe('jira-quota-global-based');
    expect(refused.headers.get('retry-after')).toBe('3000');
    expect(refused.headers.get('x-ratelimit-reset')).toBe(
      new Date(start - 10 * 60_000 + HOUR).toISOString().replace('.000Z', 'Z'),
    );
    sim.clock.advance(49 * 60_000 + 59_000); // one second before the top of the hour: still refused
    expect((await call(0, 'GET', '/myself')).status).toBe(429);
    sim.clock.advance(1000);
    expect((await call(0, 'GET', '/myself')).status).toBe(200);
  });
});

describe('burst and per-issue limits', () => {
  it('limits bursts per site, endpoint and method with jira-burst-based', async () => {
    const { call } = await setup({ burstGetPostPerSecond: 3, now: () => 1_800_000_000_000 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(0, 'GET', '/myself')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await call(1, 'GET', '/myself')).status).toBe(200); // another site has its own bucket
    expect((await call(0, 'GET', '/field')).status).toBe(200); // another endpoint too
    const limited = await call(0, 'GET', '/myself');
    expect(limited.headers.get('ratelimit-reason')).toBe('jira-burst-based');
    expect(limited.headers.get('retry-after')).toBe('1');
  });

  it('limits writes per issue with jira-per-issue-on-write', async () => {
    const { sim, call } = await setup({
      perIssueWriteLimits: [[3, 2]],
      burstPutDeletePerSecond: 0,
      burstGetPostPerSecond: 0,
    });
    const edit = () => call(0, 'PUT', '/issue/OPS-1/properties/marker', { n: 1 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await edit()).status);
    expect(statuses).toEqual([201, 200, 200, 429]);
    const limited = await edit();
    expect(limited.headers.get('ratelimit-reason')).toBe('jira-per-issue-on-write');
    expect((await call(0, 'PUT', '/issue/OPS-2/properties/marker', { n: 1 })).status).toBe(201); // other issues carry on
    sim.clock.advance(2001);
    expect((await edit()).status).toBe(200);
  });
});

describe('faults', () => {
  it('serves scripted failures, then recovers; a slow token endpoint still rotates', async () => {
    const { sim, call } = await setup({});
    sim.setFaults({
      failNext: [
        { path: 'search/jql', status: 503, times: 2 },
        { path: 'myself', status: 429, retryAfterSeconds: 7, rateLimitReason: 'jira-burst-based' },
      ],
    });
    expect((await call(0, 'GET', '/search/jql?jql=updated%3E%3D0')).status).toBe(503);
    expect((await call(0, 'GET', '/myself')).headers.get('retry-after')).toBe('7');
    expect((await call(0, 'GET', '/search/jql?jql=updated%3E%3D0')).status).toBe(503);
    expect((await call(0, 'GET', '/search/jql?jql=updated%3E%3D0')).status).toBe(200);
    sim.setFaults({ errorRate: 1 });
    expect((await call(0, 'GET', '/myself')).status).toBe(503);
    sim.setFaults({ latencyMs: 80 });
    const t0 = performance.now();
    expect((await call(0, 'GET', '/myself')).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(75);
    sim.setFaults({ tokenFailNext: [{ status: 500 }] });
    const failed = await fetch(`${sim.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(failed.status).toBe(500);
  });
});

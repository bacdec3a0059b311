import { buildSimApp } from './app.ts';
import { createClock, type SimClock } from './clock.ts';
import type { SimContext } from './context.ts';
import { generateWorld } from './data/generate.ts';
import { GrantStore } from './oauth/grant-store.ts';
import { resolveOptions, type SimulatorOptions } from './options.ts';
import { World } from './state/world.ts';
import { createStats, type SimStats } from './stats.ts';

export type { SimulatorOptions } from './options.ts';

export interface SimulatorSite {
  cloudId: string;
  name: string;
  url: string;
  host: string;
}

export interface SimulatorUser {
  accountId: string;
  displayName: string;
  timeZone: string;
  email: string;
}

export interface Simulator {
  /** http://127.0.0.1:PORT: serves the auth routes, the Jira API and /_sim on one origin. */
  url: string;
  sites: SimulatorSite[];
  users: SimulatorUser[];
  clientId: string;
  clientSecret: string;
  /** The simulated clock: advance it instead of waiting for expiry or the quota reset. */
  clock: SimClock;
  /** Makes the next consent (auto-consent or the consent page default) act as this account. */
  setNextConsentUser(accountId: string): void;
  /** The user removes the app: the grant's refresh and access tokens stop working. */
  revokeGrant(accountId: string): boolean;
  /** Expires every current access token (of one account, or all); returns how many. */
  expireAccessTokens(accountId?: string): number;
  stats(): SimStats;
  close(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const resolved = resolveOptions(options);
  const clock = createClock(resolved.now);
  const generated = generateWorld(resolved, clock.now());
  const world = new World(generated.users, generated.stores);
  const ctx: SimContext = {
    options: resolved,
    clock,
    world,
    grants: new GrantStore(resolved),
    stats: createStats(),
    baseUrl: '',
    nextConsentUser: undefined,
  };
  const app = await buildSimApp(ctx);
  const address = await app.listen({ port: resolved.port, host: resolved.host });
  const url = new URL(address);
  ctx.baseUrl = `http://${resolved.host}:${url.port}`;
  return {
    url: ctx.baseUrl,
    sites: world.stores.map(({ site }) => ({
      cloudId: site.cloudId,
      name: site.name,
      url: site.url,
      host: site.host,
    })),
    users: world.users.map((u) => ({
      accountId: u.accountId,
      displayName: u.displayName,
      timeZone: u.timeZone,
      email: u.email,
    })),
    clientId: resolved.clientId,
    clientSecret: resolved.clientSecret,
    clock,
    setNextConsentUser: (accountId) => {
      if (!world.user(accountId)) throw new Error(`unknown account ${accountId}`);
      ctx.nextConsentUser = accountId;
    },
    revokeGrant: (accountId) => ctx.grants.revokeGrant(accountId),
    expireAccessTokens: (accountId) => ctx.grants.expireAccessTokens(clock.now(), accountId),
    stats: () => structuredClone(ctx.stats),
    close: () => app.close(),
  };
}

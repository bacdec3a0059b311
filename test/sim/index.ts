import { buildSimApp } from './app.ts';
import { createClock, type SimClock } from './clock.ts';
import type { SimContext } from './context.ts';
import { SimControl } from './control/control.ts';
import { generateWorld } from './data/generate.ts';
import { GrantStore } from './oauth/grant-store.ts';
import { resolveOptions, type SimulatorOptions } from './options.ts';
import { RateLimiter } from './rate-limiter.ts';
import { EventBus } from './state/events.ts';
import { Mutations } from './state/mutations.ts';
import { World } from './state/world.ts';
import { createStats, type SimStats } from './stats.ts';
import { WebhookDispatcher } from './webhooks/dispatcher.ts';
import { WebhookRegistry } from './webhooks/registry.ts';

/** @public */
export type { AdminWebhookInput, ControlIssueInput } from './control/control.ts';
/** @public */
export type { AfterWriteRule, FaultRule, RequestMatch, SimFaults } from './faults.ts';
export type { SimulatorOptions } from './options.ts';
/** @public */
export type { SimStats } from './stats.ts';
/** @public */
export type { DeliveryRecord } from './webhooks/dispatcher.ts';

/** @public */
export interface SimulatorSite {
  cloudId: string;
  name: string;
  url: string;
  host: string;
}

/** @public */
export interface SimulatorUser {
  accountId: string;
  displayName: string;
  timeZone: string;
  email: string;
}

/**
 * A running simulator. Besides the contract fields (url, sites, users, close) it is a typed handle
 * with the powers of the /_sim control API: act in Jira as a person, break things, look inside.
 */
export interface Simulator {
  /** http://127.0.0.1:PORT: serves the auth routes, the Jira API and /_sim on one origin. */
  url: string;
  sites: SimulatorSite[];
  users: SimulatorUser[];
  clientId: string;
  clientSecret: string;
  /** The simulated clock: advance it instead of waiting for expiry, the reuse window or the quota reset. */
  clock: SimClock;
  /** Jira activity and inspection (createIssue, updateIssue, addComment, deliveries(), setFaults, ...). */
  control: SimControl;
  createIssue: SimControl['createIssue'];
  updateIssue: SimControl['updateIssue'];
  /** Moves an issue to a status (name such as "Done") or through a transition id. */
  transition(cloudId: string, idOrKey: string, status: string, actorAccountId?: string): void;
  addComment: SimControl['addComment'];
  updateComment: SimControl['updateComment'];
  deleteComment: SimControl['deleteComment'];
  deleteIssue: SimControl['deleteIssue'];
  setFaults: SimControl['setFaults'];
  /** Makes the next consent (auto-consent or the consent page default) act as this account. */
  setNextConsentUser(accountId: string): void;
  /** The user removes the app: the grant's refresh and access tokens stop working. */
  revokeGrant(accountId: string): boolean;
  /** Expires every current access token (of one account, or all); returns how many. */
  expireAccessTokens(accountId?: string): number;
  stats(): SimStats;
  /** Every access and refresh token the simulator has issued, for "no token in clear" checks. */
  issuedTokens(): string[];
  /** Every route served, as "METHOD /path" (Fastify syntax). */
  routes: string[];
  close(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const resolved = resolveOptions(options);
  const clock = createClock(resolved.now);
  const generated = generateWorld(resolved, clock.now());
  const world = new World(generated.users, generated.stores);
  const stats = createStats();
  const events = new EventBus();
  const webhooks = new WebhookRegistry();
  const faults = { current: {} };
  const dispatcher = new WebhookDispatcher({
    world,
    registry: webhooks,
    options: resolved,
    stats,
    faults,
    clock,
  });
  events.on((event) => dispatcher.handle(event));
  const ctx: SimContext = {
    options: resolved,
    clock,
    world,
    grants: new GrantStore(resolved),
    stats,
    limiter: new RateLimiter(resolved, stats),
    events,
    mutations: new Mutations(world, events, clock),
    webhooks,
    dispatcher,
    faults,
    baseUrl: '',
    nextConsentUser: undefined,
  };
  const control = new SimControl(ctx);
  const { app, routes } = await buildSimApp(ctx, control);
  const address = await app.listen({ port: resolved.port, host: resolved.host });
  ctx.baseUrl = `http://${resolved.host}:${new URL(address).port}`;
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
    control,
    createIssue: (...args) => control.createIssue(...args),
    updateIssue: (...args) => control.updateIssue(...args),
    transition: (cloudId, idOrKey, status, actorAccountId) =>
      void control.updateIssue(cloudId, idOrKey, { status, ...(actorAccountId ? { actorAccountId } : {}) }),
    addComment: (...args) => control.addComment(...args),
    updateComment: (...args) => control.updateComment(...args),
    deleteComment: (...args) => control.deleteComment(...args),
    deleteIssue: (...args) => control.deleteIssue(...args),
    setFaults: (faults) => control.setFaults(faults),
    setNextConsentUser: (accountId) => control.setNextConsentUser(accountId),
    revokeGrant: (accountId) => ctx.grants.revokeGrant(accountId),
    expireAccessTokens: (accountId) => ctx.grants.expireAccessTokens(clock.now(), accountId),
    issuedTokens: () => ctx.grants.issuedTokens(),
    stats: () => structuredClone(ctx.stats),
    routes,
    close: async () => {
      dispatcher.close();
      await app.close();
    },
  };
}

import type { Connection } from '../connections/connection.ts';
import type { ConnectionStore } from '../connections/connection-store.ts';
import type { RegistrationStore } from './registration-store.ts';

/** The connection a delivery belongs to; a paused one acknowledges and drops its deliveries. */
export interface SiteRoute {
  readonly connectionId: string;
  /** The site's Atlassian cloud id: a dynamic webhook's JWT names it as its issuer. */
  readonly cloudId: string;
  readonly paused: boolean;
}

/** A connection named in the URL of an admin webhook, as intake needs it. */
export interface ConnectionRoute extends SiteRoute {
  readonly siteHost: string;
  /** Disconnected: its deliveries are dropped (and counted), whatever their signature. */
  readonly disconnected: boolean;
}

/** Finds the connection a delivery belongs to. */
export interface WebhookRouter {
  /** By the site host of the body's links, else by the webhook ids it matched; none when we hold neither. */
  route(siteHost: string, matchedWebhookIds: readonly number[]): Promise<SiteRoute | undefined>;
  /** The connection an admin webhook's URL names; undefined when there never was one. */
  connection(connectionId: string): Promise<ConnectionRoute | undefined>;
}

interface Cached {
  readonly route: SiteRoute | undefined;
  readonly until: number;
}

/**
 * Routes deliveries to connections by site host, then by matched webhook id. Answers by host are
 * cached in the process for a few seconds, so steady intake costs one Redis round trip (the
 * enqueue), not two; a pause or a disconnect takes effect once the cache expires.
 */
export class CachedWebhookRouter implements WebhookRouter {
  readonly #connections: ConnectionStore;
  readonly #registrations: RegistrationStore;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #byHost = new Map<string, Cached>();
  readonly #byId = new Map<string, { readonly route: ConnectionRoute | undefined; readonly until: number }>();

  constructor(opts: {
    connections: ConnectionStore;
    registrations: RegistrationStore;
    ttlMs: number;
    now?: () => number;
  }) {
    this.#connections = opts.connections;
    this.#registrations = opts.registrations;
    this.#ttlMs = opts.ttlMs;
    this.#now = opts.now ?? Date.now;
  }

  async route(siteHost: string, webhookIds: readonly number[]): Promise<SiteRoute | undefined> {
    return (await this.#bySite(siteHost)) ?? (await this.#byWebhookIds(webhookIds));
  }

  async connection(connectionId: string): Promise<ConnectionRoute | undefined> {
    const now = this.#now();
    const cached = this.#byId.get(connectionId);
    if (cached && cached.until > now) return cached.route;
    const found = await this.#connections.get(connectionId);
    const route = found
      ? {
          connectionId: found.id,
          cloudId: found.cloudId,
          siteHost: found.siteHost,
          paused: found.status === 'paused',
          disconnected: found.status === 'disconnected',
        }
      : undefined;
    if (this.#byId.size > 100_000) this.#byId.clear();
    this.#byId.set(connectionId, { route, until: now + this.#ttlMs });
    return route;
  }

  async #bySite(siteHost: string): Promise<SiteRoute | undefined> {
    const now = this.#now();
    const cached = this.#byHost.get(siteHost);
    if (cached && cached.until > now) return cached.route;
    const route = routeTo(await this.#connections.findBySiteHost(siteHost));
    if (this.#byHost.size > 100_000) this.#byHost.clear();
    this.#byHost.set(siteHost, { route, until: now + this.#ttlMs });
    return route;
  }

  /** Only for hosts we do not hold (a renamed site, say): a Redis read per id, uncached. */
  async #byWebhookIds(ids: readonly number[]): Promise<SiteRoute | undefined> {
    for (const id of ids) {
      const connectionId = await this.#registrations.connectionForWebhookId(id);
      const route = connectionId ? routeTo(await this.#connections.get(connectionId)) : undefined;
      if (route) return route;
    }
    return undefined;
  }
}

/**
 * A disconnected site is no longer ours: its deliveries route as a stranger's would. A paused one
 * is still ours, and takes no deliveries until it resumes; a site whose grant needs
 * reauthorization keeps taking them, since its webhooks still carry the data.
 */
function routeTo(connection: Connection | null): SiteRoute | undefined {
  if (!connection || connection.status === 'disconnected') return undefined;
  return { connectionId: connection.id, cloudId: connection.cloudId, paused: connection.status === 'paused' };
}

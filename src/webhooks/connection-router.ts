import type { ConnectionStore } from '../connections/connection-store.ts';
import type { WebhookRouter } from '../routes/webhooks.ts';
import type { RegistrationStore } from './registration-store.ts';

interface Cached {
  readonly connectionId: string | undefined;
  readonly until: number;
}

/**
 * Routes deliveries to connections by site host, then by matched webhook id. Answers are cached in
 * the process for a few seconds, so steady intake costs one Redis round trip (the enqueue), not two.
 * Paused or disconnected sites get 202-and-drop once the cache expires.
 */
export class CachedWebhookRouter implements WebhookRouter {
  readonly #connections: ConnectionStore;
  readonly #registrations: RegistrationStore;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #bySite = new Map<string, Cached>();

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

  async connectionForSite(siteHost: string): Promise<string | undefined> {
    const now = this.#now();
    const cached = this.#bySite.get(siteHost);
    if (cached && cached.until > now) return cached.connectionId;
    const connection = await this.#connections.findBySiteHost(siteHost);
    // Paused and disconnected sites take no deliveries: they are acknowledged, dropped and counted
    // like those of unknown sites; a resume resyncs from the cursor, which did not move meanwhile.
    const routable = connection?.status === 'active' || connection?.status === 'reauth_required';
    const connectionId = routable ? connection?.id : undefined;
    if (this.#bySite.size > 100_000) this.#bySite.clear();
    this.#bySite.set(siteHost, { connectionId, until: now + this.#ttlMs });
    return connectionId;
  }

  async connectionForWebhookIds(ids: readonly number[]): Promise<string | undefined> {
    for (const id of ids) {
      const connectionId = await this.#registrations.connectionForWebhookId(id);
      if (connectionId) return connectionId;
    }
    return undefined;
  }
}

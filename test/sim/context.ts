import type { SimClock } from './clock.ts';
import type { FaultState } from './faults.ts';
import type { GrantStore } from './oauth/grant-store.ts';
import type { ResolvedOptions } from './options.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { EventBus } from './state/events.ts';
import type { Mutations } from './state/mutations.ts';
import type { World } from './state/world.ts';
import type { SimStats } from './stats.ts';
import type { WebhookDispatcher } from './webhooks/dispatcher.ts';
import type { WebhookRegistry } from './webhooks/registry.ts';

/** Everything the routes share; built once per simulator by startSimulator. */
export interface SimContext {
  readonly options: ResolvedOptions;
  readonly clock: SimClock;
  readonly world: World;
  readonly grants: GrantStore;
  readonly stats: SimStats;
  readonly limiter: RateLimiter;
  readonly events: EventBus;
  readonly mutations: Mutations;
  readonly webhooks: WebhookRegistry;
  readonly dispatcher: WebhookDispatcher;
  readonly faults: FaultState;
  /** http://host:port once listening; `self` links of REST responses start with it. */
  baseUrl: string;
  /** Who the next consent acts as (one-shot); undefined = the first user. */
  nextConsentUser: string | undefined;
}

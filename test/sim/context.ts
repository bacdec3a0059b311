import type { SimClock } from './clock.ts';
import type { GrantStore } from './oauth/grant-store.ts';
import type { ResolvedOptions } from './options.ts';
import type { World } from './state/world.ts';
import type { SimStats } from './stats.ts';

/** Everything the routes share; built once per simulator by startSimulator. */
export interface SimContext {
  readonly options: ResolvedOptions;
  readonly clock: SimClock;
  readonly world: World;
  readonly grants: GrantStore;
  readonly stats: SimStats;
  /** http://host:port once listening; `self` links of REST responses start with it. */
  baseUrl: string;
  /** Who the next consent acts as (one-shot); undefined = the first user. */
  nextConsentUser: string | undefined;
}

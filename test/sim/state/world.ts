import type { SimSite, SimUser } from '../model.ts';
import type { SiteStore } from './site-store.ts';

/** Every Atlassian account and Jira site the simulator knows. */
export class World {
  readonly users: SimUser[];
  readonly stores: SiteStore[];
  private readonly storesByCloudId = new Map<string, SiteStore>();
  private readonly usersById = new Map<string, SimUser>();

  constructor(users: SimUser[], stores: SiteStore[]) {
    this.users = users;
    this.stores = stores;
    for (const store of stores) this.storesByCloudId.set(store.site.cloudId, store);
    for (const user of users) this.usersById.set(user.accountId, user);
  }

  store(cloudId: string): SiteStore | undefined {
    return this.storesByCloudId.get(cloudId);
  }

  user(accountId: string): SimUser | undefined {
    return this.usersById.get(accountId);
  }

  /** Sites an account can reach: what accessible-resources lists for its grant. */
  sitesOf(accountId: string): SimSite[] {
    return this.stores.map((s) => s.site).filter((site) => site.userIds.has(accountId));
  }
}

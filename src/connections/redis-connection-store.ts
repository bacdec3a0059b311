import { randomUUID } from 'node:crypto';
import { familyPrefix, type RedisClient } from '../state/redis-client.ts';
import {
  type Connection,
  type ConnectionStatus,
  type ConsentedSite,
  connectionStatuses,
  siteHostOf,
} from './connection.ts';
import { patchScript, removeAccountScript, updateSiteScript, upsertScript } from './connection-scripts.ts';
import type { ConnectionStore } from './connection-store.ts';

export interface RedisConnectionStoreOptions {
  readonly redis: RedisClient;
  /** Prefix of every key this store writes (tests use a unique one). */
  readonly keyPrefix: string;
  readonly now?: () => number;
}

/** Connection records in Redis: one hash per connection plus small indexes. No secrets here. */
export class RedisConnectionStore implements ConnectionStore {
  readonly #redis: RedisClient;
  readonly #prefix: string;
  readonly #now: () => number;

  constructor(opts: RedisConnectionStoreOptions) {
    this.#redis = opts.redis;
    // Its scripts build keys of one another (indexes, records): one hash tag for them all on a cluster.
    this.#prefix = familyPrefix(opts.redis, opts.keyPrefix, 'connections');
    this.#now = opts.now ?? Date.now;
  }

  async list(): Promise<Connection[]> {
    return this.#getMany(await this.#redis.smembers(`${this.#prefix}:conns`));
  }

  async get(id: string): Promise<Connection | null> {
    return decode(await this.#redis.hgetall(this.#key(id)));
  }

  async findBySiteHost(host: string): Promise<Connection | null> {
    const id = await this.#redis.get(`${this.#prefix}:conn-by-host:${host.toLowerCase()}`);
    return id === null ? null : this.get(id);
  }

  async listByAccount(accountId: string): Promise<Connection[]> {
    return this.#getMany(await this.#redis.smembers(this.#accountKey(accountId)));
  }

  async upsertFromConsent(
    site: ConsentedSite,
    accountId: string,
  ): Promise<{ connection: Connection; created: boolean }> {
    const reply = (await this.#redis.eval(
      upsertScript,
      3,
      `${this.#prefix}:conn-by-cloud:${site.cloudId}`,
      `${this.#prefix}:conns`,
      this.#accountKey(accountId),
      randomUUID(),
      site.cloudId,
      site.url,
      siteHostOf(site.url),
      site.name,
      site.scopes.join(' '),
      accountId,
      String(this.#now()),
      this.#prefix,
    )) as [string, number];
    const connection = await this.get(reply[0]);
    if (!connection) throw new Error(`connection ${reply[0]} vanished right after it was written`);
    return { connection, created: reply[1] === 1 };
  }

  async setStatus(id: string, status: ConnectionStatus): Promise<Connection | null> {
    return this.#patch(id, '', ['status', status]);
  }

  async setProjectKeys(id: string, projectKeys: readonly string[] | null): Promise<Connection | null> {
    if (projectKeys === null) return this.#patch(id, 'projectKeys', []);
    return this.#patch(id, '', ['projectKeys', projectKeys.join(',')]);
  }

  async updateSiteDetails(id: string, site: ConsentedSite): Promise<Connection | null> {
    const done = await this.#redis.eval(
      updateSiteScript,
      1,
      this.#key(id),
      this.#prefix,
      id,
      site.url,
      siteHostOf(site.url),
      site.name,
      site.scopes.join(' '),
      String(this.#now()),
    );
    return done === 1 ? this.get(id) : null;
  }

  async removeAccount(id: string, accountId: string): Promise<Connection | null> {
    const done = await this.#redis.eval(
      removeAccountScript,
      2,
      this.#key(id),
      this.#accountKey(accountId),
      id,
      accountId,
      String(this.#now()),
    );
    return done === 1 ? this.get(id) : null;
  }

  async #patch(id: string, deleteField: string, fields: string[]): Promise<Connection | null> {
    const done = await this.#redis.eval(
      patchScript,
      1,
      this.#key(id),
      String(this.#now()),
      deleteField,
      ...fields,
    );
    return done === 1 ? this.get(id) : null;
  }

  async #getMany(ids: string[]): Promise<Connection[]> {
    if (ids.length === 0) return [];
    const pipeline = this.#redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.#key(id));
    const replies = (await pipeline.exec()) ?? [];
    return replies
      .map(([, fields]) => decode(fields as Record<string, string>))
      .filter((c): c is Connection => c !== null)
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  #key(id: string): string {
    return `${this.#prefix}:conn:${id}`;
  }

  #accountKey(accountId: string): string {
    return `${this.#prefix}:conns-by-account:${accountId}`;
  }
}

function decode(f: Record<string, string>): Connection | null {
  if (!f.id || !f.cloudId) return null;
  const status = connectionStatuses.find((s) => s === f.status) ?? 'active';
  return {
    id: f.id,
    cloudId: f.cloudId,
    siteUrl: f.siteUrl ?? '',
    siteHost: f.siteHost ?? '',
    name: f.name ?? '',
    scopes: f.scopes ? f.scopes.split(' ') : [],
    accountIds: f.accountIds ? f.accountIds.split(' ') : [],
    status,
    projectKeys: f.projectKeys === undefined ? null : f.projectKeys.split(',').filter(Boolean),
    createdAt: Number(f.createdAt),
    updatedAt: Number(f.updatedAt),
  };
}

import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  type Connection,
  type ConnectionStatus,
  type ConsentedSite,
  connectionStatuses,
  siteHostOf,
} from './connection.ts';
import type { ConnectionStore } from './connection-store.ts';

export interface RedisConnectionStoreOptions {
  readonly redis: Redis;
  /** Prefix of every key this store writes (tests use a unique one). */
  readonly keyPrefix: string;
  readonly now?: () => number;
}

/**
 * Creates or updates a site's connection in one step, so two accounts consenting to the same site
 * at once still make one connection. Indexes: cloud id -> id, site host -> id, account -> ids.
 */
const upsertScript = `
local prefix = ARGV[9]
local id = redis.call('GET', KEYS[1])
local created = 0
if not id then
  id = ARGV[1]
  created = 1
  redis.call('SET', KEYS[1], id)
  redis.call('SADD', KEYS[2], id)
end
local key = prefix .. ':conn:' .. id
local oldHost = redis.call('HGET', key, 'siteHost')
if oldHost and oldHost ~= ARGV[4] and redis.call('GET', prefix .. ':conn-by-host:' .. oldHost) == id then
  redis.call('DEL', prefix .. ':conn-by-host:' .. oldHost)
end
redis.call('SET', prefix .. ':conn-by-host:' .. ARGV[4], id)
local accounts = redis.call('HGET', key, 'accountIds') or ''
if not string.find(' ' .. accounts .. ' ', ' ' .. ARGV[7] .. ' ', 1, true) then
  if accounts == '' then accounts = ARGV[7] else accounts = accounts .. ' ' .. ARGV[7] end
end
local status = redis.call('HGET', key, 'status')
if status ~= 'paused' then status = 'active' end
if created == 1 then redis.call('HSET', key, 'id', id, 'cloudId', ARGV[2], 'createdAt', ARGV[8]) end
redis.call('HSET', key, 'siteUrl', ARGV[3], 'siteHost', ARGV[4], 'name', ARGV[5], 'scopes', ARGV[6],
  'accountIds', accounts, 'status', status, 'updatedAt', ARGV[8])
redis.call('SADD', KEYS[3], id)
return {id, created}
`;

/** Sets fields of an existing record only; ARGV[2] names a field to delete ('' for none). */
const patchScript = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[2] ~= '' then redis.call('HDEL', KEYS[1], ARGV[2]) end
redis.call('HSET', KEYS[1], 'updatedAt', ARGV[1])
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1
`;

/** Connection records in Redis: one hash per connection plus small indexes. No secrets here. */
export class RedisConnectionStore implements ConnectionStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #now: () => number;

  constructor(opts: RedisConnectionStoreOptions) {
    this.#redis = opts.redis;
    this.#prefix = opts.keyPrefix;
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

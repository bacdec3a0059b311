import { createHash } from 'node:crypto';
import type { RedisClient } from '../state/redis-client.ts';
import type { CommandResult, CommandType } from './command.ts';

/** Where a command was read: `topic:partition:offset`. A redelivery has the same; a repeat does not. */
export type MessageRef = string;

/** What the store knew of a command when its message was read. */
export type CommandStart =
  /** Never seen: apply it. */
  | { readonly kind: 'new' }
  /** Started before and not finished (a worker died, a rebalance): apply it again, carefully. */
  | { readonly kind: 'resumed'; readonly attempts: number }
  /** Finished: answer with its first result (`firstRef` says whether this message is that one). */
  | { readonly kind: 'done'; readonly result: CommandResult; readonly firstRef: MessageRef };

/** One line of a site's recent commands, for the admin API. */
export interface RecentCommand {
  readonly commandId: string;
  readonly type: CommandType | 'unknown';
  readonly source: string;
  readonly status: CommandResult['status'];
  readonly issue: CommandResult['issue'];
  readonly reason?: string;
  /** Epoch ms of the result. */
  readonly at: number;
}

export interface CommandStoreOptions {
  readonly prefix: string;
  /** COMMAND_RESULT_TTL_SECONDS: how long a command id is remembered. */
  readonly resultTtlSeconds: number;
  /** COMMAND_RECENT_PER_SITE. */
  readonly recentPerSite: number;
}

// KEYS[1] the command's hash; ARGV: message ref, now ms, ttl s.
// Fields: st (applying | done), r (result JSON), first (ref of the first message), n (attempts).
const beginScript = `
local h = redis.call('HMGET', KEYS[1], 'st', 'r', 'first', 'n')
if h[1] == 'done' then return {'done', h[2], h[3]} end
if h[1] == 'applying' then return {'resumed', h[4] or '0'} end
redis.call('HSET', KEYS[1], 'st', 'applying', 'first', ARGV[1], 'n', '0', 'at', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {'new'}
`;

interface Commands {
  cmdBegin(key: string, ref: string, now: string, ttl: string): Promise<string[]>;
}

/**
 * Commands by idempotency key (`ce_source` + `ce_id`) in Redis, shared by every worker: a command is
 * applied at most once while it is remembered; its first result answers every repeat. Attempts are
 * counted before each write, so a command resumed after a crash knows a write may have happened.
 */
export class RedisCommandStore {
  readonly #redis: RedisClient & Commands;
  readonly #o: CommandStoreOptions;

  constructor(redis: RedisClient, opts: CommandStoreOptions) {
    redis.defineCommand('cmdBegin', { numberOfKeys: 1, lua: beginScript });
    this.#redis = redis as RedisClient & Commands;
    this.#o = opts;
  }

  async begin(source: string, commandId: string, ref: MessageRef, now: number): Promise<CommandStart> {
    const [kind, a = '', b = ''] = await this.#redis.cmdBegin(
      this.#key(source, commandId),
      ref,
      String(now),
      String(this.#o.resultTtlSeconds),
    );
    if (kind === 'done') return { kind, result: JSON.parse(a) as CommandResult, firstRef: b };
    if (kind === 'resumed') return { kind, attempts: Number(a) };
    return { kind: 'new' };
  }

  /** Counts a write attempt about to be made; returns how many were made before it. */
  async attempt(source: string, commandId: string): Promise<number> {
    return (await this.#redis.hincrby(this.#key(source, commandId), 'n', 1)) - 1;
  }

  /** Records the command's one result, and lists it among the site's recent commands. */
  async finish(
    source: string,
    siteHost: string | null,
    line: RecentCommand,
    result: CommandResult,
  ): Promise<void> {
    const key = this.#key(source, result.commandId);
    // Two transactions, one key each: the command's key and the site's list hash to different
    // slots on a cluster. The list is for operators; the result is what makes the command done.
    const done = this.#redis
      .multi()
      .hset(key, 'st', 'done', 'r', JSON.stringify(result))
      .expire(key, this.#o.resultTtlSeconds)
      .exec();
    await Promise.all([done, siteHost === null ? undefined : this.listRecent(siteHost, line)]);
  }

  /** Lists an answer that records nothing else (invalid, duplicate) among the site's recent commands. */
  async listRecent(siteHost: string, line: RecentCommand): Promise<void> {
    const recent = this.#recentKey(siteHost);
    await this.#redis
      .multi()
      .lpush(recent, JSON.stringify(line))
      .ltrim(recent, 0, this.#o.recentPerSite - 1)
      .exec();
  }

  /** A site's most recent commands and their results, newest first. */
  async recent(siteHost: string, limit: number): Promise<RecentCommand[]> {
    const lines = await this.#redis.lrange(this.#recentKey(siteHost), 0, Math.max(0, limit - 1));
    return lines.map((line) => JSON.parse(line) as RecentCommand);
  }

  #key(source: string, commandId: string): string {
    const id = createHash('sha256')
      .update(JSON.stringify([source, commandId]))
      .digest('hex')
      .slice(0, 32);
    return `${this.#o.prefix}:command:${id}`;
  }

  #recentKey(siteHost: string): string {
    return `${this.#o.prefix}:commands:recent:${siteHost}`;
  }
}

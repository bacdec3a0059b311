import { type RedisClient, slotTag } from '../../state/redis-client.ts';
import type { PendingWrite } from './pending-write.ts';

export interface PendingWritesOptions {
  readonly prefix: string;
  /** ECHO_PENDING_TTL_SECONDS: how long a write waits for its change to come back. */
  readonly ttlSeconds: number;
  readonly now?: () => number;
}

/**
 * The writes the relay made for commands, in Redis, so every worker recognises their echoes: one hash
 * per issue (field: command id), and one per site for creates whose issue id Jira has not told yet.
 * Recorded before the write is sent, completed with what Jira answered.
 */
export class RedisPendingWrites {
  readonly #redis: RedisClient;
  readonly #o: PendingWritesOptions;
  readonly #now: () => number;

  constructor(redis: RedisClient, opts: PendingWritesOptions) {
    this.#redis = redis;
    this.#o = opts;
    this.#now = opts.now ?? Date.now;
  }

  /** Records a write about to be sent (or completed, with what Jira answered). */
  async record(siteHost: string, write: PendingWrite): Promise<void> {
    const key = this.#keyOf(siteHost, write.issueId);
    await this.#redis
      .multi()
      .hset(key, fieldOf(write), JSON.stringify(write))
      .expire(key, this.#o.ttlSeconds)
      .exec();
  }

  /**
   * A create's issue is known (Jira's answer, or its webhook, told): the write is kept under the issue
   * and, with the id, among the site's creates, where a retry of the command finds it (createdBy).
   */
  async createdAs(siteHost: string, write: PendingWrite & { readonly issueId: string }): Promise<void> {
    const key = this.#keyOf(siteHost, write.issueId);
    const creates = this.#keyOf(siteHost, null);
    const value = JSON.stringify(write);
    await this.#redis
      .multi()
      .hset(key, fieldOf(write), value)
      .expire(key, this.#o.ttlSeconds)
      .hset(creates, fieldOf(write), value)
      .exec();
  }

  /** A write that did not happen (Jira refused it): nothing will come back. */
  async forget(siteHost: string, write: PendingWrite): Promise<void> {
    await this.#redis.hdel(this.#keyOf(siteHost, write.issueId), fieldOf(write));
    if (write.kind === 'issue-create') await this.#redis.hdel(this.#keyOf(siteHost, null), fieldOf(write));
  }

  /** A create this command made earlier whose issue is known (its answer, or its webhook, told). */
  async createdBy(siteHost: string, commandId: string): Promise<PendingWrite | null> {
    const value = await this.#redis.hget(this.#keyOf(siteHost, null), commandId);
    const write = value === null ? null : (JSON.parse(value) as PendingWrite);
    return write?.issueId ? write : null;
  }

  /** The writes still waiting that may have caused a change of this issue (its own, and creates). */
  async forIssue(siteHost: string, issueId: string): Promise<PendingWrite[]> {
    const results = await this.#redis
      .multi()
      .hvals(this.#keyOf(siteHost, issueId))
      .hvals(this.#keyOf(siteHost, null))
      .exec();
    const oldest = this.#now() - this.#o.ttlSeconds * 1000;
    return (results ?? [])
      .flatMap(([err, values]) => (err ? [] : (values as string[])))
      .map((value) => JSON.parse(value) as PendingWrite)
      .filter((write) => write.startedAt >= oldest);
  }

  #keyOf(siteHost: string, issueId: string | null): string {
    return `${this.#o.prefix}:echo:${slotTag(this.#redis, siteHost)}:${issueId === null ? 'creates' : `issue:${issueId}`}`;
  }
}

function fieldOf(write: PendingWrite): string {
  return write.step === undefined ? write.commandId : `${write.commandId}:${write.step}`;
}

import type { Redis } from 'ioredis';

/** An issue as the last sync saw it. */
export interface KnownIssue {
  /** Epoch ms of its `updated`: a poll seeing the same value has nothing new. */
  readonly version: number;
  readonly key: string;
}

/** What a page of synced issues leaves behind: the version seen, and the complete comment list when read. */
export interface SeenIssue extends KnownIssue {
  readonly id: string;
  /** Comment id -> epoch ms of its `updated`; undefined when the comments were not read completely. */
  readonly comments?: ReadonlyMap<string, number>;
}

/**
 * The issues and comments sync has queued, per site: the dedupe by (id, `updated`) of polls, the
 * "ids we know" the deletion reconcile compares Jira against, and each issue's comment list so a
 * comment that vanished becomes a deletion. One hash of issues per site, one hash of comments per
 * issue. Written only after the changes they stand for are queued.
 */
export class RedisKnownEntities {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  async issues(site: string, ids: readonly string[]): Promise<Map<string, KnownIssue>> {
    const out = new Map<string, KnownIssue>();
    if (ids.length === 0) return out;
    const values = await this.#redis.hmget(this.#issuesKey(site), ...ids);
    ids.forEach((id, i) => {
      const parsed = parseIssue(values[i]);
      if (parsed) out.set(id, parsed);
    });
    return out;
  }

  /** Known comment lists of several issues, in one round trip. */
  async comments(site: string, issueIds: readonly string[]): Promise<Map<string, Map<string, number>>> {
    const out = new Map<string, Map<string, number>>();
    if (issueIds.length === 0) return out;
    const pipeline = this.#redis.pipeline();
    for (const id of issueIds) pipeline.hgetall(this.#commentsKey(site, id));
    const results = (await pipeline.exec()) ?? [];
    issueIds.forEach((id, i) => {
      const raw = (results[i]?.[1] ?? {}) as Record<string, string>;
      out.set(id, new Map(Object.entries(raw).map(([c, v]) => [c, Number(v)])));
    });
    return out;
  }

  async record(site: string, seen: readonly SeenIssue[]): Promise<void> {
    if (seen.length === 0) return;
    // One transaction: a crash never leaves an issue without the comment list it had.
    const pipeline = this.#redis.multi();
    pipeline.hset(
      this.#issuesKey(site),
      Object.fromEntries(seen.map((s) => [s.id, `${s.version}|${s.key}`])),
    );
    for (const issue of seen) {
      if (!issue.comments) continue;
      const key = this.#commentsKey(site, issue.id);
      pipeline.del(key);
      if (issue.comments.size > 0) {
        pipeline.hset(key, Object.fromEntries([...issue.comments].map(([c, v]) => [c, String(v)])));
      }
    }
    await exec(pipeline);
  }

  async forgetIssues(site: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const pipeline = this.#redis.pipeline();
    pipeline.hdel(this.#issuesKey(site), ...ids);
    for (const id of ids) pipeline.del(this.#commentsKey(site, id));
    await exec(pipeline);
  }

  async forgetComments(site: string, issueId: string, commentIds: readonly string[]): Promise<void> {
    if (commentIds.length > 0) await this.#redis.hdel(this.#commentsKey(site, issueId), ...commentIds);
  }

  async issueCount(site: string): Promise<number> {
    return this.#redis.hlen(this.#issuesKey(site));
  }

  /** Every known issue of a site, in batches (HSCAN: no blocking on large sites). */
  async *allIssues(site: string): AsyncGenerator<Array<[string, KnownIssue]>, void, undefined> {
    let cursor = '0';
    do {
      const [next, flat] = await this.#redis.hscan(this.#issuesKey(site), cursor, 'COUNT', 1000);
      const batch: Array<[string, KnownIssue]> = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const parsed = parseIssue(flat[i + 1]);
        if (parsed) batch.push([flat[i] as string, parsed]);
      }
      if (batch.length > 0) yield batch;
      cursor = next;
    } while (cursor !== '0');
  }

  #issuesKey(site: string): string {
    return `${this.#prefix}:known:${site}:issues`;
  }

  #commentsKey(site: string, issueId: string): string {
    return `${this.#prefix}:known:${site}:comments:${issueId}`;
  }
}

function parseIssue(value: string | null | undefined): KnownIssue | undefined {
  if (!value) return undefined;
  const bar = value.indexOf('|');
  return { version: Number(value.slice(0, bar)), key: value.slice(bar + 1) };
}

async function exec(pipeline: ReturnType<Redis['pipeline'] | Redis['multi']>): Promise<void> {
  for (const [err] of (await pipeline.exec()) ?? []) if (err) throw err;
}

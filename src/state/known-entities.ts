import { type RedisClient, slotTag } from './redis-client.ts';

/** An issue as the relay last published it. */
export interface KnownIssue {
  /**
   * Epoch ms of its `updated`: a poll seeing the same value has nothing new. 0 when only its
   * comments were published (a comment event carries no issue version): any poll version is new.
   */
  readonly version: number;
  readonly key: string;
}

/** Whether the issue is known only through its comments, not by a version of its own. */
export function knownOnlyByComments(issue: KnownIssue): boolean {
  return issue.version === 0;
}

// KEYS[1] issues hash; ARGV: issue id, version, key. Versions only move forward.
const rememberIssueScript = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur and tonumber(string.match(cur, '^(%d+)|') or '-1') >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. ARGV[3])
return 1
`;

// KEYS[1] issues hash, KEYS[2] the issue's comments hash; ARGV: issue id, issue key, comment id,
// version. The issue is known too (version 0 until one of its own is published), so the reconcile,
// which walks the issues, reaches the comment.
const rememberCommentScript = `
redis.call('HSETNX', KEYS[1], ARGV[1], '0|' .. ARGV[2])
local cur = redis.call('HGET', KEYS[2], ARGV[3])
if cur and tonumber(cur) >= tonumber(ARGV[4]) then return 0 end
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
return 1
`;

// KEYS[1] issues hash, KEYS[2] the issue's comments hash; ARGV: issue id. An issue is forgotten only
// once none of its comments is left to tombstone.
const forgetIssueScript = `
if redis.call('HLEN', KEYS[2]) > 0 then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
return 1
`;

interface Commands {
  knownRememberIssue(issues: string, id: string, version: string, key: string): Promise<number>;
  knownRememberComment(
    issues: string,
    comments: string,
    issueId: string,
    issueKey: string,
    commentId: string,
    version: string,
  ): Promise<number>;
  knownForgetIssue(issues: string, comments: string, id: string): Promise<number>;
}

/**
 * The issues and comments whose changes the relay published, per site, until their deletions are
 * published: the dedupe by (id, `updated`) of polls, the "ids we know" the deletion reconcile
 * compares Jira against, and each issue's comments so a comment that vanished becomes a deletion.
 * One hash of issues per site, one hash of comments per issue: on a cluster the site is their hash
 * tag, so a site's keys share one slot and its scripts run there. Every path writes it, and only
 * after a change is published, so a change whose job failed for good is not hidden from polls. (A
 * poll also records an issue version a webhook published, once it found nothing of that issue left
 * to submit: sync/page-sync.ts.)
 */
export class RedisKnownEntities {
  readonly #redis: RedisClient & Commands;
  readonly #prefix: string;

  constructor(redis: RedisClient, prefix: string) {
    redis.defineCommand('knownRememberIssue', { numberOfKeys: 1, lua: rememberIssueScript });
    redis.defineCommand('knownRememberComment', { numberOfKeys: 2, lua: rememberCommentScript });
    redis.defineCommand('knownForgetIssue', { numberOfKeys: 2, lua: forgetIssueScript });
    this.#redis = redis as RedisClient & Commands;
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

  /** A published version of an issue, unless a newer one is known already (atomic). */
  async rememberIssue(site: string, issue: { id: string; key: string; version: number }): Promise<void> {
    await this.#redis.knownRememberIssue(this.#issuesKey(site), issue.id, String(issue.version), issue.key);
  }

  /** A published version of a comment, unless a newer one is known already (atomic). */
  async rememberComment(
    site: string,
    issue: { id: string; key: string },
    comment: { id: string; version: number },
  ): Promise<void> {
    await this.#redis.knownRememberComment(
      this.#issuesKey(site),
      this.#commentsKey(site, issue.id),
      issue.id,
      issue.key,
      comment.id,
      String(comment.version),
    );
  }

  async forgetComments(site: string, issueId: string, commentIds: readonly string[]): Promise<void> {
    if (commentIds.length > 0) await this.#redis.hdel(this.#commentsKey(site, issueId), ...commentIds);
  }

  /** Forgets a deleted issue once it has no known comment left; false while it has. */
  async forgetIssue(site: string, issueId: string): Promise<boolean> {
    const forgotten = await this.#redis.knownForgetIssue(
      this.#issuesKey(site),
      this.#commentsKey(site, issueId),
      issueId,
    );
    return forgotten === 1;
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
    return `${this.#prefix}:known:${slotTag(this.#redis, site)}:issues`;
  }

  #commentsKey(site: string, issueId: string): string {
    return `${this.#prefix}:known:${slotTag(this.#redis, site)}:comments:${issueId}`;
  }
}

function parseIssue(value: string | null | undefined): KnownIssue | undefined {
  if (!value) return undefined;
  const bar = value.indexOf('|');
  return { version: Number(value.slice(0, bar)), key: value.slice(bar + 1) };
}

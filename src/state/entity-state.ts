import type { IssueSnapshot, JiraChange } from '../../connectors/jira-change.ts';
import { entityRef } from '../../connectors/jira-change.ts';
import { type RedisClient, slotTag } from './redis-client.ts';

/**
 * What the change worker decided about a change against the last version every connector is through
 * with (committed after publishing, so a version that was never published is never compared against):
 * - `advance`: newer than the committed version (or a deletion, which always wins): process it;
 * - `repeat`: the committed version again (a retry, or the same change by another path): process it
 *   again, idempotently; connectors' published markers drop what already went out;
 * - `stale`: older than the committed version: drop it, so a connector never goes back.
 * `previous` is the committed snapshot before this version, for connectors that react to transitions.
 */
export type EntityDecision =
  | { readonly kind: 'advance' | 'repeat'; readonly previous: IssueSnapshot | null }
  | { readonly kind: 'stale'; readonly current: number };

// KEYS[1] entity hash; ARGV: version, snapshot JSON ('' for comments), deletion flag.
// Fields: v (committed version), s (its snapshot), pv/ps (the version and snapshot before v).
// Versions only move forward; a deletion always commits.
const commitScript = `
local v = tonumber(ARGV[1])
local cur = tonumber(redis.call('HGET', KEYS[1], 'v') or '-1')
if v == cur or (v < cur and ARGV[3] ~= '1') then return 0 end
local old = redis.call('HGET', KEYS[1], 's') or ''
redis.call('HSET', KEYS[1], 'v', ARGV[1], 's', ARGV[2], 'pv', tostring(cur), 'ps', old)
return 1
`;

interface EntityStateCommands {
  commitEntity(key: string, version: string, snapshot: string, deletion: string): Promise<number>;
}

/**
 * The last version every connector is through with, per entity, and its snapshot, in Redis. A
 * change is decided against it, and committed only after its publish: a worker killed in between,
 * or a publish that never got out, leaves the committed state as consumers saw it last. Order
 * between concurrent versions is kept by the published-version claims, not here.
 */
export class RedisEntityState {
  readonly #redis: RedisClient & EntityStateCommands;
  readonly #prefix: string;

  constructor(redis: RedisClient, prefix: string) {
    redis.defineCommand('commitEntity', { numberOfKeys: 1, lua: commitScript });
    this.#redis = redis as RedisClient & EntityStateCommands;
    this.#prefix = prefix;
  }

  async decide(change: JiraChange): Promise<EntityDecision> {
    const [v, snapshot, previous] = await this.#redis.hmget(this.#key(change), 'v', 's', 'ps');
    const current = v === null || v === undefined ? -1 : Number(v);
    if (change.version === current) return { kind: 'repeat', previous: parse(previous ?? '') };
    if (change.version < current && change.kind !== 'deleted') return { kind: 'stale', current };
    return { kind: 'advance', previous: parse(snapshot ?? '') };
  }

  /** Records the change as the entity's committed version once every connector is through with it. */
  async commit(change: JiraChange): Promise<void> {
    const snapshot = change.entity === 'issue' ? snapshotOf(change.issue) : '';
    const deletion = change.kind === 'deleted' ? '1' : '0';
    await this.#redis.commitEntity(this.#key(change), String(change.version), snapshot, deletion);
  }

  #key(change: JiraChange): string {
    const { kind, id } = entityRef(change);
    return `${this.#prefix}:entity:${slotTag(this.#redis, change.site.host)}:${kind}:${id}`;
  }

  /** The last snapshot processed for an issue (comments use it for filters and context). */
  async issueSnapshot(siteHost: string, issueId: string): Promise<IssueSnapshot | null> {
    return parse(
      (await this.#redis.hget(
        `${this.#prefix}:entity:${slotTag(this.#redis, siteHost)}:issue:${issueId}`,
        's',
      )) ?? '',
    );
  }
}

/** What a connector may compare against later, as stored; the description is dropped to bound memory. */
export function snapshotOf(issue: IssueSnapshot): string {
  return JSON.stringify({ ...issue, description: null, descriptionMarkdown: null });
}

function parse(value: string): IssueSnapshot | null {
  return value === '' ? null : (JSON.parse(value) as IssueSnapshot);
}

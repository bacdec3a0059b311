import type { Redis } from 'ioredis';
import type { IssueSnapshot, JiraChange } from '../../connectors/jira-change.ts';
import { entityRef } from '../../connectors/jira-change.ts';

/**
 * What the change worker decided about a change against the last version processed for its entity:
 * - `advance`: newer than anything seen (or a deletion, which always wins): process it;
 * - `repeat`: the version processed last, again (a retry, or the same change by another path):
 *   process it again, idempotently; connectors' published markers drop what already went out;
 * - `stale`: older than what was processed: drop it, so a connector never goes back.
 * `previous` is the snapshot before this version, for connectors that react to transitions.
 */
export type EntityDecision =
  | { readonly kind: 'advance' | 'repeat'; readonly previous: IssueSnapshot | null }
  | { readonly kind: 'stale'; readonly current: number };

// KEYS[1] entity hash; ARGV: version, snapshot JSON ('' for comments), deletion flag.
// Fields: v (version), s (snapshot of v), pv/ps (the version and snapshot before v).
const advanceScript = `
local v = tonumber(ARGV[1])
local cur = tonumber(redis.call('HGET', KEYS[1], 'v') or '-1')
if v == cur then return {'repeat', redis.call('HGET', KEYS[1], 'ps') or ''} end
if v < cur and ARGV[3] ~= '1' then return {'stale', tostring(cur)} end
local old = redis.call('HGET', KEYS[1], 's') or ''
redis.call('HSET', KEYS[1], 'v', ARGV[1], 's', ARGV[2], 'pv', tostring(cur), 'ps', old)
return {'advance', old}
`;

interface EntityStateCommands {
  advanceEntity(key: string, version: string, snapshot: string, deletion: string): Promise<[string, string]>;
}

/**
 * The last version processed per entity, and its snapshot, in Redis. One script call per change
 * keeps check and update atomic across every worker process.
 */
export class RedisEntityState {
  readonly #redis: Redis & EntityStateCommands;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    redis.defineCommand('advanceEntity', { numberOfKeys: 1, lua: advanceScript });
    this.#redis = redis as Redis & EntityStateCommands;
    this.#prefix = prefix;
  }

  async decide(change: JiraChange): Promise<EntityDecision> {
    const { kind, id } = entityRef(change);
    const key = `${this.#prefix}:entity:${change.site.host}:${kind}:${id}`;
    const snapshot = change.entity === 'issue' ? JSON.stringify(compact(change.issue)) : '';
    const deletion = change.kind === 'deleted' ? '1' : '0';
    const [decision, value] = await this.#redis.advanceEntity(
      key,
      String(change.version),
      snapshot,
      deletion,
    );
    if (decision === 'stale') return { kind: 'stale', current: Number(value) };
    return { kind: decision === 'repeat' ? 'repeat' : 'advance', previous: parse(value) };
  }

  /** The last snapshot processed for an issue (comments use it for filters and context). */
  async issueSnapshot(siteHost: string, issueId: string): Promise<IssueSnapshot | null> {
    return parse((await this.#redis.hget(`${this.#prefix}:entity:${siteHost}:issue:${issueId}`, 's')) ?? '');
  }
}

/** What a connector may compare against later; the description is dropped to bound memory. */
function compact(issue: IssueSnapshot): IssueSnapshot {
  return { ...issue, description: null, descriptionMarkdown: null };
}

function parse(value: string): IssueSnapshot | null {
  return value === '' ? null : (JSON.parse(value) as IssueSnapshot);
}

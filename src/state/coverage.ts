import { entityRef, type JiraChange } from '../../connectors/jira-change.ts';
import { type RedisClient, slotTag } from './redis-client.ts';

/** The two paths that race to see a change. */
export type SightingPath = 'webhook' | 'poll';

/** Which path saw a change first, and how late the other one was (ms) when this sighting is the later one. */
export interface Sighting {
  readonly first: SightingPath;
  readonly lateMs: number | null;
}

/** Recent coverage of one site, over the current and the previous bucket. */
export interface CoverageShare {
  readonly webhookFirst: number;
  readonly pollFirst: number;
  /** Changes polling found that no webhook delivered (yet): the sign of expired or broken webhooks. */
  readonly pollOnly: number;
  /** pollOnly / all changes seen; null when nothing was seen. */
  readonly pollOnlyShare: number | null;
  /**
   * Changes a webhook delivered (before or after polling found them) / all changes seen, that is
   * 1 - pollOnlyShare: the webhook coverage operators see; null when nothing was seen.
   */
  readonly webhookCoverage: number | null;
  /** Mean delay of the later path, per path that came second, in ms. */
  readonly meanLateMs: { readonly webhook: number | null; readonly poll: number | null };
}

// KEYS[1] sighting of this change, KEYS[2] current bucket of the site (one site: one slot on a
// cluster). ARGV: path, observedAt, ttl s, bucket ttl s. Sighting value: "path|observedAt[|m]".
const sightScript = `
local seen = redis.call('GET', KEYS[1])
if not seen then
  redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[2], 'EX', ARGV[3])
  redis.call('HINCRBY', KEYS[2], ARGV[1] .. '_first', 1)
  redis.call('EXPIRE', KEYS[2], ARGV[4])
  return {ARGV[1], -1}
end
local path, at, matched = string.match(seen, '^(%a+)|(%d+)|?(%a*)$')
if path == ARGV[1] or matched == 'm' then return {path, -1} end
redis.call('SET', KEYS[1], seen .. '|m', 'KEEPTTL')
local late = math.max(0, tonumber(ARGV[2]) - tonumber(at))
redis.call('HINCRBY', KEYS[2], 'late_' .. ARGV[1], 1)
redis.call('HINCRBY', KEYS[2], 'late_' .. ARGV[1] .. '_ms', late)
redis.call('EXPIRE', KEYS[2], ARGV[4])
return {path, late}
`;

// KEYS[1] recent sites (a sorted set by last sighting, ms; every site's, so a slot of its own on a
// cluster, apart from the sightings). ARGV: site, now ms, bucket ttl s, most sites kept.
const touchSiteScript = `
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (tonumber(ARGV[2]) - tonumber(ARGV[3]) * 1000))
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[4]) + 1))
`;

/** KEYS then ARGV of the sighting script, in its order. */
type SightArgs = [key: string, bucket: string, path: string, at: string, ttl: string, bucketTtl: string];

const defaultMaxSites = 20_000;

interface Commands {
  coverageSight(...args: SightArgs): Promise<[string, number]>;
  coverageTouchSite(
    sites: string,
    site: string,
    now: string,
    bucketTtl: string,
    maxSites: string,
  ): Promise<null>;
}

export interface CoverageOptions {
  readonly prefix: string;
  /** SYNC_COVERAGE_TTL_SECONDS: how long a first sighting waits for the other path. */
  readonly ttlSeconds: number;
  /** SYNC_COVERAGE_BUCKET_SECONDS. */
  readonly bucketSeconds: number;
  /** Sites `sites()` remembers, the most recently sighted; default 20,000. */
  readonly maxSites?: number;
  readonly now?: () => number;
}

/**
 * Webhook coverage: for every change (an entity version), which path saw it first and how late the
 * other one was. Deletions are left out (each path versions them by its own clock), and so are
 * backfills and reconciles (they see history no webhook could have sent).
 *
 * The sites sighted are kept for as long as their buckets (older ones hold no coverage to report)
 * and at most `maxSites` of them, the least recently sighted dropped first: site hosts come from
 * webhook bodies, and a shared secret may speak for any site.
 */
export class RedisWebhookCoverage {
  readonly #redis: RedisClient & Commands;
  readonly #o: CoverageOptions;
  readonly #now: () => number;

  constructor(redis: RedisClient, opts: CoverageOptions) {
    redis.defineCommand('coverageSight', { numberOfKeys: 2, lua: sightScript });
    redis.defineCommand('coverageTouchSite', { numberOfKeys: 1, lua: touchSiteScript });
    this.#redis = redis as RedisClient & Commands;
    this.#o = opts;
    this.#now = opts.now ?? Date.now;
  }

  /** Records sightings by one path; the result lines up with `changes` (null where not counted). */
  async sight(path: SightingPath, changes: readonly JiraChange[]): Promise<Array<Sighting | null>> {
    const counted = changes.map((c) => c.kind !== 'deleted' && c.source === path);
    const bucket = Math.floor(this.#now() / (this.#o.bucketSeconds * 1000));
    const sightings = changes.flatMap((change, i) =>
      counted[i] ? [this.#sightArgs(path, change, bucket)] : [],
    );
    const sites = new Set(changes.filter((_, i) => counted[i]).map((c) => c.site.host));
    // Sent side by side: the sightings and the recent-sites set are in different slots on a cluster.
    const [replies] = await Promise.all([
      this.#run(sightings),
      ...[...sites].map((site) => this.#touch(site)),
    ]);
    let next = 0;
    return changes.map((_, i) => {
      if (!counted[i]) return null;
      // One reply per sighting sent, in order.
      const [first, late] = replies[next++] as [string, number];
      return { first: first === 'webhook' ? 'webhook' : 'poll', lateMs: late < 0 ? null : late };
    });
  }

  /**
   * A webhook change is one sighting: sent as one command. An ioredis pipeline copies every script
   * of the connection into itself when it is created, which made a pipeline of one cost the relay
   * more than the command, once per change. A poll's page goes as one pipeline.
   */
  async #run(sightings: readonly SightArgs[]): Promise<Array<[string, number]>> {
    const [only] = sightings;
    if (sightings.length <= 1) return only ? [await this.#redis.coverageSight(...only)] : [];
    const pipeline = this.#redis.pipeline() as unknown as Commands & ReturnType<RedisClient['pipeline']>;
    for (const args of sightings) pipeline.coverageSight(...args);
    return ((await pipeline.exec()) ?? []).map(([err, value]) => {
      if (err) throw err;
      return value as [string, number];
    });
  }

  #touch(site: string): Promise<null> {
    return this.#redis.coverageTouchSite(
      this.#sitesKey(),
      site,
      String(this.#now()),
      String(this.#o.bucketSeconds * 3),
      String(this.#o.maxSites ?? defaultMaxSites),
    );
  }

  #sightArgs(path: SightingPath, change: JiraChange, bucket: number): SightArgs {
    const { kind, id } = entityRef(change);
    const site = change.site.host;
    return [
      `${this.#o.prefix}:coverage:${slotTag(this.#redis, site)}:${kind}:${id}:${change.version}`,
      this.#bucketKey(site, bucket),
      path,
      String(change.observedAt),
      String(this.#o.ttlSeconds),
      String(this.#o.bucketSeconds * 3),
    ];
  }

  async share(site: string): Promise<CoverageShare> {
    const bucket = Math.floor(this.#now() / (this.#o.bucketSeconds * 1000));
    const [current, previous] = await Promise.all([
      this.#redis.hgetall(this.#bucketKey(site, bucket)),
      this.#redis.hgetall(this.#bucketKey(site, bucket - 1)),
    ]);
    const n = (field: string) => Number(current[field] ?? 0) + Number(previous[field] ?? 0);
    const webhookFirst = n('webhook_first');
    const pollFirst = n('poll_first');
    const pollOnly = Math.max(0, pollFirst - n('late_webhook'));
    const total = webhookFirst + pollFirst;
    const mean = (path: SightingPath) =>
      n(`late_${path}`) > 0 ? n(`late_${path}_ms`) / n(`late_${path}`) : null;
    return {
      webhookFirst,
      pollFirst,
      pollOnly,
      pollOnlyShare: total > 0 ? pollOnly / total : null,
      webhookCoverage: total > 0 ? 1 - pollOnly / total : null,
      meanLateMs: { webhook: mean('webhook'), poll: mean('poll') },
    };
  }

  /** Sites with a sighting in the buckets kept, least recently sighted first (at most maxSites). */
  async sites(): Promise<string[]> {
    return this.#redis.zrange(this.#sitesKey(), '0', '-1');
  }

  #bucketKey(site: string, bucket: number): string {
    return `${this.#o.prefix}:coverage:${slotTag(this.#redis, site)}:bucket:${bucket}`;
  }

  /** Not `coverage:sites`, the unbounded set of earlier versions: a process still running one writes it. */
  #sitesKey(): string {
    return `${this.#o.prefix}:coverage:recent-sites`;
  }
}

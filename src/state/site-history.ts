import type { RedisClient } from './redis-client.ts';

/** One look at a connection's sync health, taken by the sync planner's round. */
export interface SiteSample {
  /** Epoch ms. */
  readonly at: number;
  /** Seconds since the start of the last completed poll; null before the first poll. */
  readonly lagSeconds: number | null;
  /** Share (0 to 1) of recent changes a webhook delivered; null when nothing was seen. */
  readonly webhookCoverage: number | null;
}

export interface SiteHistoryOptions {
  /** QUEUE_PREFIX, like every key of the relay's state. */
  readonly prefix: string;
  /** Samples kept per connection, newest first; older ones are trimmed. */
  readonly maxSamples: number;
  /** A connection that gets no sample for this long (disconnected, paused) loses its history. */
  readonly ttlSeconds: number;
}

/**
 * A short history of each connection's poll lag and webhook coverage, so the connections page can
 * draw them over time (the admin API and the metrics only have the current figures). One capped
 * list per connection, written in one MULTI on that one key: it works on Redis Cluster as is.
 */
export class RedisSiteHistory {
  readonly #redis: RedisClient;
  readonly #o: SiteHistoryOptions;

  constructor(redis: RedisClient, opts: SiteHistoryOptions) {
    this.#redis = redis;
    this.#o = opts;
  }

  async record(connectionId: string, sample: SiteSample): Promise<void> {
    const key = this.#key(connectionId);
    const value = JSON.stringify([sample.at, sample.lagSeconds, sample.webhookCoverage]);
    await this.#redis
      .multi()
      .lpush(key, value)
      .ltrim(key, 0, this.#o.maxSamples - 1)
      .expire(key, this.#o.ttlSeconds)
      .exec();
  }

  /** The samples kept, oldest first; an entry that cannot be read is left out. */
  async read(connectionId: string): Promise<SiteSample[]> {
    const raw = await this.#redis.lrange(this.#key(connectionId), 0, this.#o.maxSamples - 1);
    return raw.flatMap((entry) => parseSample(entry) ?? []).reverse();
  }

  #key(connectionId: string): string {
    return `${this.#o.prefix}:sync:${connectionId}:history`;
  }
}

function parseSample(entry: string): SiteSample | null {
  try {
    const [at, lag, coverage] = JSON.parse(entry) as unknown[];
    if (typeof at !== 'number') return null;
    return { at, lagSeconds: numberOrNull(lag), webhookCoverage: numberOrNull(coverage) };
  } catch {
    return null;
  }
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

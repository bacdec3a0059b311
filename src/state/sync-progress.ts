import type { RedisClient } from './redis-client.ts';

/** The long sync passes whose progress operators watch. */
export const progressKinds = ['backfill', 'reconcile', 'replay'] as const;

export type ProgressKind = (typeof progressKinds)[number];

/** How far one run of a pass got. Times are epoch ms (UTC). */
export interface ProgressRecord {
  /** Which run this is (a backfill's or replay's generation, a reconcile's start): a new one resets it. */
  readonly run: string;
  /** Issues read so far. */
  readonly done: number;
  /** Issues the run is expected to read (Jira's approximate count); null when unknown. At the end, `done`. */
  readonly total: number | null;
  readonly startedAt: number;
  readonly updatedAt: number;
  /** Set once the run read its last page. */
  readonly finishedAt: number | null;
}

/**
 * The progress of each connection's backfill, reconcile and replay, one hash per connection and
 * kind, written by the pass after every page (the admin API reads it). Kept apart from the
 * checkpoints: a checkpoint is what a pass resumes from, this is only what it reports.
 */
export class RedisSyncProgress {
  readonly #redis: RedisClient;
  readonly #prefix: string;

  constructor(redis: RedisClient, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  /**
   * Starts the record of `run` unless it is the one recorded already (a resumed pass keeps its
   * figures); `estimate` is asked only for a new run.
   */
  async begin(
    connectionId: string,
    kind: ProgressKind,
    run: string,
    now: number,
    estimate: () => Promise<number | null>,
  ): Promise<void> {
    const key = this.#key(connectionId, kind);
    if ((await this.#redis.hget(key, 'run')) === run) return;
    const total = await estimate();
    await this.#redis
      .multi()
      .del(key)
      .hset(key, {
        run,
        done: '0',
        total: total === null ? '' : String(total),
        startedAt: String(now),
        updatedAt: String(now),
      })
      .exec();
  }

  /** Issues read so far by `run`; a record of another run is left alone. */
  async advance(connectionId: string, kind: ProgressKind, run: string, done: number, now: number) {
    await this.#saveIfRun(connectionId, kind, run, { done: String(done), updatedAt: String(now) });
  }

  /** The run read its last page: the total is what it read. */
  async finish(connectionId: string, kind: ProgressKind, run: string, done: number, now: number) {
    const fields = {
      done: String(done),
      total: String(done),
      updatedAt: String(now),
      finishedAt: String(now),
    };
    await this.#saveIfRun(connectionId, kind, run, fields);
  }

  async read(connectionId: string, kind: ProgressKind): Promise<ProgressRecord | null> {
    const raw = await this.#redis.hgetall(this.#key(connectionId, kind));
    if (raw.run === undefined) return null;
    return {
      run: raw.run,
      done: Number(raw.done ?? 0),
      total: raw.total ? Number(raw.total) : null,
      startedAt: Number(raw.startedAt ?? 0),
      updatedAt: Number(raw.updatedAt ?? 0),
      finishedAt: raw.finishedAt ? Number(raw.finishedAt) : null,
    };
  }

  async #saveIfRun(connectionId: string, kind: ProgressKind, run: string, fields: Record<string, string>) {
    const key = this.#key(connectionId, kind);
    // Two passes of one site never run at once (the site lease), so a read-then-write is enough.
    if ((await this.#redis.hget(key, 'run')) !== run) return;
    await this.#redis.hset(key, fields);
  }

  #key(connectionId: string, kind: ProgressKind): string {
    return `${this.#prefix}:sync:${connectionId}:progress:${kind}`;
  }
}

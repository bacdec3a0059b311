import type { RedisClient } from './redis-client.ts';

/** Where one connection's incremental poll stands. Times are epoch ms (UTC). */
export interface PollState {
  /** Every change updated before this (minus the overlap) has been queued; null before the first poll. */
  readonly cursor: number | null;
  /** When the last completed poll started: the data is at least this fresh. */
  readonly polledAt: number | null;
  /** Points a poll of this site costs, smoothed over recent polls (the cadence planner uses it). */
  readonly pointsPerPoll: number | null;
  /** The poll interval the planner chose last, in ms. */
  readonly intervalMs: number | null;
}

/** Where one connection's backfill stands; the checkpoint moves only after a page is queued. */
export interface BackfillCheckpoint {
  readonly status: 'running' | 'paused' | 'done';
  /** Increases with every new backfill request, so a slice of an older request cannot save over it. */
  readonly generation: number;
  /** Issues updated at or after this were asked for; null: from the beginning. */
  readonly from: number | null;
  /** The last issue queued, in the scan order (updated, id); null before the first page. */
  readonly after: { readonly updated: number; readonly id: string } | null;
  readonly issues: number;
  readonly changes: number;
  readonly startedAt: number;
  readonly finishedAt: number | null;
}

// KEYS[1] checkpoint hash; ARGV: generation, then field/value pairs. Saves only for the same generation.
const saveIfGenerationScript = `
if redis.call('HGET', KEYS[1], 'generation') ~= ARGV[1] then return 0 end
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1
`;

interface Commands {
  saveIfGeneration(key: string, generation: string, ...fields: string[]): Promise<number>;
}

/** Poll cursors and backfill checkpoints per connection, in Redis (AOF: they survive restarts). */
export class RedisSyncCursors {
  readonly #redis: RedisClient & Commands;
  readonly #prefix: string;

  constructor(redis: RedisClient, prefix: string) {
    redis.defineCommand('saveIfGeneration', { numberOfKeys: 1, lua: saveIfGenerationScript });
    this.#redis = redis as RedisClient & Commands;
    this.#prefix = prefix;
  }

  async poll(connectionId: string): Promise<PollState> {
    const [cursor, polledAt, points, interval] = await this.#redis.hmget(
      this.#pollKey(connectionId),
      'cursor',
      'polledAt',
      'pointsPerPoll',
      'intervalMs',
    );
    return {
      cursor: numberOrNull(cursor),
      polledAt: numberOrNull(polledAt),
      pointsPerPoll: numberOrNull(points),
      intervalMs: numberOrNull(interval),
    };
  }

  /** Moves the cursor forward (never back: a rewind is `rewind`) once a page's changes are queued. */
  async advance(connectionId: string, cursor: number): Promise<void> {
    const key = this.#pollKey(connectionId);
    const current = numberOrNull(await this.#redis.hget(key, 'cursor'));
    if (current === null || cursor > current) await this.#redis.hset(key, 'cursor', String(cursor));
  }

  /** A poll finished: when it started, and what it cost (folded into the running average). */
  async pollDone(connectionId: string, startedAt: number, points: number): Promise<void> {
    const key = this.#pollKey(connectionId);
    const previous = numberOrNull(await this.#redis.hget(key, 'pointsPerPoll'));
    const smoothed = previous === null ? points : previous * 0.8 + points * 0.2;
    await this.#redis.hset(key, 'polledAt', String(startedAt), 'pointsPerPoll', smoothed.toFixed(2));
  }

  /** Sets the cursor to `to`, forward or back (operators re-reading changes since a date). */
  async rewind(connectionId: string, to: number): Promise<void> {
    await this.#redis.hset(this.#pollKey(connectionId), 'cursor', String(to));
  }

  async setInterval(connectionId: string, intervalMs: number): Promise<void> {
    await this.#redis.hset(this.#pollKey(connectionId), 'intervalMs', String(Math.round(intervalMs)));
  }

  async backfill(connectionId: string): Promise<BackfillCheckpoint | null> {
    const raw = await this.#redis.hgetall(this.#backfillKey(connectionId));
    if (raw.generation === undefined) return null;
    const updated = numberOrNull(raw.afterUpdated);
    return {
      status: raw.status === 'done' || raw.status === 'paused' ? raw.status : 'running',
      generation: Number(raw.generation),
      from: numberOrNull(raw.from),
      after: updated === null || !raw.afterId ? null : { updated, id: raw.afterId },
      issues: Number(raw.issues ?? 0),
      changes: Number(raw.changes ?? 0),
      startedAt: Number(raw.startedAt ?? 0),
      finishedAt: numberOrNull(raw.finishedAt),
    };
  }

  /** A new backfill from `from` (null: the beginning); any older one is superseded. */
  async startBackfill(connectionId: string, from: number | null, now: number): Promise<BackfillCheckpoint> {
    const key = this.#backfillKey(connectionId);
    const generation = await this.#redis.hincrby(key, 'generation', 1);
    await this.#redis.hdel(key, 'afterUpdated', 'afterId', 'finishedAt');
    await this.#redis.hset(key, {
      status: 'running',
      from: from === null ? '' : String(from),
      issues: '0',
      changes: '0',
      startedAt: String(now),
    });
    return {
      status: 'running',
      generation,
      from,
      after: null,
      issues: 0,
      changes: 0,
      startedAt: now,
      finishedAt: null,
    };
  }

  /** Saves progress of the given generation; false when a newer backfill was started meanwhile. */
  async saveBackfill(
    connectionId: string,
    generation: number,
    progress: Pick<BackfillCheckpoint, 'after' | 'issues' | 'changes'> & {
      status?: BackfillCheckpoint['status'];
      finishedAt?: number;
    },
  ): Promise<boolean> {
    const fields = [
      'issues',
      String(progress.issues),
      'changes',
      String(progress.changes),
      ...(progress.after
        ? ['afterUpdated', String(progress.after.updated), 'afterId', progress.after.id]
        : []),
      ...(progress.status ? ['status', progress.status] : []),
      ...(progress.finishedAt === undefined ? [] : ['finishedAt', String(progress.finishedAt)]),
    ];
    const key = this.#backfillKey(connectionId);
    return (await this.#redis.saveIfGeneration(key, String(generation), ...fields)) === 1;
  }

  /** Pauses or resumes a backfill; false when there is none to change. */
  async setBackfillStatus(connectionId: string, status: 'running' | 'paused'): Promise<boolean> {
    const checkpoint = await this.backfill(connectionId);
    if (!checkpoint || checkpoint.status === 'done') return false;
    const { after, issues, changes } = checkpoint;
    return this.saveBackfill(connectionId, checkpoint.generation, { after, issues, changes, status });
  }

  #pollKey(connectionId: string): string {
    return `${this.#prefix}:sync:${connectionId}:poll`;
  }

  #backfillKey(connectionId: string): string {
    return `${this.#prefix}:sync:${connectionId}:backfill`;
  }
}

function numberOrNull(value: string | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

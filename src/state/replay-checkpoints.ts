import type { RedisClient } from './redis-client.ts';

/** The window and connectors an operator asked to replay. Times are epoch ms (UTC). */
export interface ReplayRequest {
  /** Issues whose current `updated` is at or after this are replayed. */
  readonly from: number;
  /** ...and at or before this. */
  readonly to: number;
  /** The connectors to re-emit for; null: every enabled one. */
  readonly connectors: readonly string[] | null;
}

/** Where one connection's replay stands; it moves only after a page's changes went through. */
export interface ReplayCheckpoint extends ReplayRequest {
  readonly status: 'running' | 'done' | 'cancelled';
  /** Increases with every replay request, so a slice of an older request cannot save over it. */
  readonly generation: number;
  /** The last issue replayed, in the scan order (updated, id); null before the first page. */
  readonly after: { readonly updated: number; readonly id: string } | null;
  readonly issues: number;
  readonly changes: number;
  readonly startedAt: number;
  readonly finishedAt: number | null;
}

export type ReplayProgress = Pick<ReplayCheckpoint, 'after' | 'issues' | 'changes'> & {
  readonly status?: ReplayCheckpoint['status'];
  readonly finishedAt?: number;
};

// KEYS[1] checkpoint hash; ARGV: generation, then field/value pairs. Saves only for the same generation.
const saveIfGenerationScript = `
if redis.call('HGET', KEYS[1], 'generation') ~= ARGV[1] then return 0 end
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1
`;

interface Commands {
  replaySave(key: string, generation: string, ...fields: string[]): Promise<number>;
}

/**
 * Replay checkpoints per connection, in Redis (AOF: they survive restarts): like a backfill's
 * (state/cursors.ts), plus the window's end and the connectors asked for. One replay per
 * connection at a time: a new request supersedes the one running.
 */
export class RedisReplayCheckpoints {
  readonly #redis: RedisClient & Commands;
  readonly #prefix: string;

  constructor(redis: RedisClient, prefix: string) {
    redis.defineCommand('replaySave', { numberOfKeys: 1, lua: saveIfGenerationScript });
    this.#redis = redis as RedisClient & Commands;
    this.#prefix = prefix;
  }

  async get(connectionId: string): Promise<ReplayCheckpoint | null> {
    const raw = await this.#redis.hgetall(this.#key(connectionId));
    if (raw.generation === undefined) return null;
    const updated = raw.afterUpdated ? Number(raw.afterUpdated) : null;
    return {
      status: raw.status === 'done' || raw.status === 'cancelled' ? raw.status : 'running',
      generation: Number(raw.generation),
      from: Number(raw.from),
      to: Number(raw.to),
      connectors: raw.connectors ? (JSON.parse(raw.connectors) as string[]) : null,
      after: updated === null || !raw.afterId ? null : { updated, id: raw.afterId },
      issues: Number(raw.issues ?? 0),
      changes: Number(raw.changes ?? 0),
      startedAt: Number(raw.startedAt ?? 0),
      finishedAt: raw.finishedAt ? Number(raw.finishedAt) : null,
    };
  }

  /** A new replay; one running is superseded (its next slice finds a newer generation). */
  async start(connectionId: string, request: ReplayRequest, now: number): Promise<number> {
    const key = this.#key(connectionId);
    const generation = await this.#redis.hincrby(key, 'generation', 1);
    await this.#redis.hdel(key, 'afterUpdated', 'afterId', 'finishedAt');
    await this.#redis.hset(key, {
      status: 'running',
      from: String(request.from),
      to: String(request.to),
      connectors: request.connectors ? JSON.stringify(request.connectors) : '',
      issues: '0',
      changes: '0',
      startedAt: String(now),
    });
    return generation;
  }

  /** Saves progress of the given generation; false when a newer replay was started meanwhile. */
  async save(connectionId: string, generation: number, progress: ReplayProgress): Promise<boolean> {
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
    return (await this.#redis.replaySave(this.#key(connectionId), String(generation), ...fields)) === 1;
  }

  /** Stops a running replay at its next page; false when none is running. */
  async cancel(connectionId: string): Promise<boolean> {
    const checkpoint = await this.get(connectionId);
    if (checkpoint?.status !== 'running') return false;
    const { after, issues, changes, generation } = checkpoint;
    return this.save(connectionId, generation, { after, issues, changes, status: 'cancelled' });
  }

  #key(connectionId: string): string {
    return `${this.#prefix}:sync:${connectionId}:replay`;
  }
}

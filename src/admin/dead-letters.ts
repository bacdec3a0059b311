import type { Job, Queue } from 'bullmq';

/**
 * Dead letters are the failed jobs the queues keep (bounded retention): what failed, why, after
 * how many attempts, with its input. Re-driving puts a job back to waiting with its attempts reset,
 * so it gets the whole retry budget again; published-version markers keep a re-driven old version
 * from overtaking a newer one.
 */
export interface DeadLetter {
  readonly queue: string;
  readonly id: string;
  readonly name: string;
  readonly failedReason: string;
  readonly attemptsMade: number;
  readonly maxAttempts: number;
  readonly createdAt: number;
  readonly processedAt: number | null;
  readonly failedAt: number | null;
  readonly data: unknown;
}

export interface DeadLetterPage {
  readonly total: number;
  readonly items: readonly DeadLetter[];
}

export type RedriveOutcome =
  | { readonly kind: 'redriven' }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'not_failed'; readonly state: string };

export interface RedriveAllReport {
  readonly redriven: number;
  /** Jobs that left the failed state (retried or removed elsewhere) before this call reached them. */
  readonly skipped: number;
  /** Failed jobs left after this call (the limit was reached, or re-driven jobs failed again). */
  readonly remaining: number;
}

export class DeadLetters {
  readonly #queues: ReadonlyMap<string, Queue>;

  constructor(queues: readonly Queue[]) {
    this.#queues = new Map(queues.map((q) => [q.name, q]));
  }

  hasQueue(name: string): boolean {
    return this.#queues.has(name);
  }

  /**
   * Newest failure first across the chosen queues. Each queue's failed set is already sorted by
   * failure time, so a page needs at most `offset + limit` jobs from each, merged.
   */
  async list(opts: { queue?: string; offset: number; limit: number }): Promise<DeadLetterPage> {
    const queues = this.#pick(opts.queue);
    const end = opts.offset + opts.limit - 1;
    const [counts, perQueue] = await Promise.all([
      Promise.all(queues.map((q) => q.getFailedCount())),
      Promise.all(queues.map(async (q) => (await q.getFailed(0, end)).map((job) => toDeadLetter(q, job)))),
    ]);
    const merged = perQueue
      .flat()
      .sort((a, b) => (b.failedAt ?? 0) - (a.failedAt ?? 0) || a.queue.localeCompare(b.queue));
    return {
      total: counts.reduce((sum, n) => sum + n, 0),
      items: merged.slice(opts.offset, opts.offset + opts.limit),
    };
  }

  async redrive(queueName: string, jobId: string): Promise<RedriveOutcome> {
    const queue = this.#queues.get(queueName);
    const job = queue ? await queue.getJob(jobId) : undefined;
    if (!job) return { kind: 'not_found' };
    const state = await job.getState();
    if (state !== 'failed') return { kind: 'not_failed', state };
    try {
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    } catch {
      // Retried, removed or picked up between the state check and here.
      return { kind: 'not_failed', state: await job.getState() };
    }
    return { kind: 'redriven' };
  }

  /**
   * Re-drives up to `limit` failed jobs, oldest failure first. The ids are read once up front, so a
   * job that fails again at once is not re-driven twice in one call.
   */
  async redriveAll(opts: { queue?: string; limit: number }): Promise<RedriveAllReport> {
    let redriven = 0;
    let skipped = 0;
    let budget = opts.limit;
    for (const queue of this.#pick(opts.queue)) {
      if (budget <= 0) break;
      const ids = await queue.getRanges(['failed'], 0, budget - 1, true);
      budget -= ids.length;
      for (const id of ids) {
        const outcome = await this.redrive(queue.name, id);
        if (outcome.kind === 'redriven') redriven++;
        else skipped++;
      }
    }
    const remaining = await Promise.all(this.#pick(opts.queue).map((q) => q.getFailedCount()));
    return { redriven, skipped, remaining: remaining.reduce((sum, n) => sum + n, 0) };
  }

  #pick(name: string | undefined): Queue[] {
    if (name === undefined) return [...this.#queues.values()];
    const queue = this.#queues.get(name);
    return queue ? [queue] : [];
  }
}

function toDeadLetter(queue: Queue, job: Job): DeadLetter {
  return {
    queue: queue.name,
    id: String(job.id),
    name: job.name,
    failedReason: job.failedReason ?? '',
    attemptsMade: job.attemptsMade,
    maxAttempts: job.opts.attempts ?? 1,
    createdAt: job.timestamp,
    processedAt: job.processedOn ?? null,
    failedAt: job.finishedOn ?? null,
    data: job.data,
  };
}

import { nextEveryMillis } from './bullmq-every.ts';
import { EventQueue } from './event-queue.ts';

/** A sync job as the simulated worker takes it. */
export interface SyncJob {
  readonly id: string;
  /** `sync.poll`, `sync.reconcile`, `sync.plan`, ... (src/sync/sync-jobs.ts). */
  readonly name: string;
  readonly connectionId: string | null;
  /** When it became due (virtual epoch ms): a late start is queueing delay. */
  readonly dueAt: number;
}

interface Pending {
  readonly job: SyncJob;
  readonly schedulerId: string | null;
  live: boolean;
  waiting: boolean;
}

interface Scheduler {
  every: number;
  offset: number;
  readonly name: string;
  readonly connectionId: string | null;
  pending: Pending | null;
}

interface JobTemplate {
  readonly name: string;
  readonly data?: { readonly connectionId?: string };
}

/**
 * The part of BullMQ's Queue the real SyncScheduler calls, on the simulation's clock: job schedulers
 * (`every`) and one-off jobs. Jobs are delayed until due, then wait in line (FIFO) for a worker.
 * As in BullMQ 6, an upsert that changes `every` replaces the pending job with one due at once (or,
 * with an `offset`, at the next instant of that phase: the planner spreads its reschedules), an
 * upsert that keeps it leaves the timing as it is (a job already waiting goes to the back of the
 * line), and a scheduler's next iteration is queued when its current job starts.
 */
export class VirtualSyncQueue {
  readonly #now: () => number;
  readonly #schedulers = new Map<string, Scheduler>();
  readonly #delayed = new EventQueue<Pending>();
  readonly #deduplicated = new Map<string, Pending>();
  #line: Pending[] = [];
  #head = 0;
  #waiting = 0;
  #nextId = 1;

  constructor(now: () => number) {
    this.#now = now;
  }

  async upsertJobScheduler(
    schedulerId: string,
    repeat: { readonly every: number; readonly offset?: number },
    template: JobTemplate,
  ): Promise<{ id: string }> {
    const existing = this.#schedulers.get(schedulerId);
    if (existing && existing.every === repeat.every) {
      const pending = existing.pending;
      if (pending?.live && pending.waiting) {
        this.#cancel(pending);
        existing.pending = this.#queue(schedulerId, existing, pending.job.dueAt);
      }
      return { id: existing.pending?.job.id ?? '' };
    }
    if (existing?.pending) this.#cancel(existing.pending);
    const { next, offset } = nextEveryMillis(null, repeat.every, this.#now(), repeat.offset ?? 0);
    const scheduler: Scheduler = {
      every: repeat.every,
      offset,
      name: template.name,
      connectionId: template.data?.connectionId ?? null,
      pending: null,
    };
    this.#schedulers.set(schedulerId, scheduler);
    scheduler.pending = this.#queue(schedulerId, scheduler, next);
    return { id: scheduler.pending.job.id };
  }

  async removeJobScheduler(schedulerId: string): Promise<boolean> {
    const scheduler = this.#schedulers.get(schedulerId);
    if (scheduler?.pending) this.#cancel(scheduler.pending);
    return this.#schedulers.delete(schedulerId);
  }

  /**
   * A one-off job, due now or after `delay` ms (a job the budget postponed comes back this way);
   * with a deduplication id, none while one of that id is pending.
   */
  async add(
    name: string,
    data: { readonly connectionId?: string },
    opts?: { readonly deduplication?: { readonly id: string }; readonly delay?: number },
  ): Promise<{ id: string }> {
    const dedupe = opts?.deduplication?.id;
    const same = dedupe === undefined ? undefined : this.#deduplicated.get(dedupe);
    if (same?.live) return { id: same.job.id };
    const job = this.#job(name, data.connectionId ?? null, this.#now() + (opts?.delay ?? 0));
    const pending: Pending = { job, schedulerId: null, live: true, waiting: false };
    this.#delayed.push(job.dueAt, pending);
    if (dedupe !== undefined) this.#deduplicated.set(dedupe, pending);
    return { id: job.id };
  }

  /** Jobs due before `end` join the line, earliest first. */
  release(end: number): void {
    for (const { value } of this.#delayed.popBefore(end)) {
      if (!value.live) continue;
      value.waiting = true;
      this.#waiting++;
      this.#line.push(value);
    }
  }

  /**
   * The next job in line, started by a worker free from `earliest` (not before the job is due); its
   * scheduler's next iteration is queued as it starts, as BullMQ does.
   */
  take(earliest: number): { job: SyncJob; at: number } | undefined {
    while (this.#head < this.#line.length) {
      const pending = this.#line[this.#head++] as Pending;
      if (!pending.live) continue;
      this.#cancel(pending);
      this.#compact();
      const at = Math.max(earliest, pending.job.dueAt);
      const scheduler = pending.schedulerId ? this.#schedulers.get(pending.schedulerId) : undefined;
      if (scheduler && pending.schedulerId && scheduler.pending === pending) {
        const { next } = nextEveryMillis(pending.job.dueAt, scheduler.every, at, scheduler.offset);
        scheduler.pending = this.#queue(pending.schedulerId, scheduler, next);
      }
      return { job: pending.job, at };
    }
    return undefined;
  }

  /**
   * Moves the pending job of every scheduler of jobs named `name` to `from` plus a draw in
   * [0, every), and its phase with it: as if the connections had been made, and last rescheduled,
   * at different times rather than all at once.
   */
  spreadPhases(name: string, from: number, draw: () => number): void {
    for (const [id, scheduler] of this.#schedulers) {
      const pending = scheduler.pending;
      if (scheduler.name !== name || !pending?.live) continue;
      const at = from + Math.floor(draw() * scheduler.every);
      this.#cancel(pending);
      scheduler.offset = at % scheduler.every;
      scheduler.pending = this.#queue(id, scheduler, at);
    }
  }

  /** Jobs due and waiting for a worker. */
  get waiting(): number {
    return this.#waiting;
  }

  /** When the earliest delayed job falls due; undefined when none is delayed. */
  nextDueAt(): number | undefined {
    return this.#delayed.peekAt();
  }

  #queue(schedulerId: string, scheduler: Scheduler, at: number): Pending {
    const job = this.#job(scheduler.name, scheduler.connectionId, at);
    const pending: Pending = { job, schedulerId, live: true, waiting: false };
    if (at <= this.#now()) {
      pending.waiting = true;
      this.#waiting++;
      this.#line.push(pending);
    } else {
      this.#delayed.push(at, pending);
    }
    return pending;
  }

  /** The job will not run (replaced, removed, or taken by a worker). */
  #cancel(pending: Pending): void {
    if (pending.live && pending.waiting) this.#waiting--;
    pending.live = false;
  }

  #job(name: string, connectionId: string | null, dueAt: number): SyncJob {
    return { id: String(this.#nextId++), name, connectionId, dueAt };
  }

  /** Drops the taken part of the line now and then, so it does not grow for the whole run. */
  #compact(): void {
    if (this.#head < 50_000) return;
    this.#line = this.#line.slice(this.#head);
    this.#head = 0;
  }
}

import { Job, type JobsOptions, Queue, type RedisQueueBackend } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { RedisClient } from '../../state/redis-client.ts';
import {
  byteLengthOf,
  CorkedTransaction,
  type TransactionReplies,
  type ValueParts,
} from './corked-transaction.ts';
import { openWriter } from './slot-writer.ts';

/** BullMQ's add scripts: the writer connection defines these, and no other script. */
const addScriptPrefixes = ['addStandardJob:', 'addDelayedJob:', 'addPrioritizedJob:'];

/** What a raw job holds until its bytes replace it, in the same transaction. */
const placeholderData = null;

/** Job validation (size limit, id rules) without adding: BullMQ keeps it protected. */
class RawJsonJob extends Job {
  static build(queue: Queue, name: string, size: number, opts: JobsOptions & { jobId: string }): Job {
    // BullMQ's own size check, for the bytes the job will hold (it measures `data`, a placeholder here).
    if (opts.sizeLimit && size > opts.sizeLimit)
      throw new Error(`The size of job ${name} exceeds the limit ${opts.sizeLimit} bytes`);
    const job = new RawJsonJob(queue, name, placeholderData, opts, opts.jobId);
    job.validateOptions(job.asJSON());
    return job;
  }
}

/**
 * A queue that also takes job data as JSON bytes, stored as given instead of parsed and
 * stringified again. Workers read such a job as any other.
 *
 * The bytes never pass through BullMQ's add script: RedisClient copies script arguments into Lua, and a
 * 140 KB batch cost Redis 1.8× to 2.5× the CPU of this way (`node bench/raw-json-cost.ts`).
 * The job is added with a placeholder, and an HSET right behind the add, in the same MULTI, writes
 * the bytes: no reader can see the placeholder, because a worker can take the job only after EXEC,
 * and EXEC runs the add and the HSET back to back, with nothing in between.
 *
 * The MULTI runs on a writer connection of its own, sent as one write (`CorkedTransaction`), and
 * carrying BullMQ's add scripts and the caller's own (`defineWriterScript`) only. The bytes may
 * come in pieces, which go to the socket as they are: a batch of deliveries is never joined into
 * one Buffer on its way to Redis.
 */
export class RawJsonQueue<Data> extends Queue<Data> {
  #writer: Promise<Redis> | undefined;
  /** The writer is bound to a cluster slot's primary (`slot-writer.ts`). */
  #slotBound = false;
  /** The caller's own scripts (`defineWriterScript`), by command name. */
  readonly #writerScripts = new Map<string, string>();

  /**
   * Defines a script command on the writer connection, for the caller's commands in `transaction()`
   * (`tx.runCommand(name, [numberOfKeys, ...keys, ...args])`). A name is defined on the writer by
   * the first transaction after it is given, and keeps that script.
   */
  defineWriterScript(name: string, lua: string): void {
    this.#writerScripts.set(name, lua);
  }

  /**
   * A MULTI on the writer connection, for `addJsonIn` and the caller's own commands (the delivery
   * dedupe claims), which all run together at `exec()`.
   */
  async transaction(): Promise<CorkedTransaction> {
    // A writer that failed to open is dropped, so the next call tries again.
    this.#writer ??= this.#openWriter().catch((err: unknown) => {
      this.#writer = undefined;
      throw err;
    });
    const writer = await this.#writer;
    for (const [name, lua] of this.#writerScripts) if (!(name in writer)) writer.defineCommand(name, { lua });
    // A refused transaction on a cluster may mean the slot moved: the next one asks again.
    return new CorkedTransaction(writer, this.#slotBound ? () => this.#dropWriter(writer) : undefined);
  }

  /**
   * Queues, on `tx`, the add of a job whose data is `json` (JSON text of type Data, in pieces that
   * are written to Redis as they are) with the given id. Once `tx` has run, `outcome` throws why
   * the job was not added, if it was not.
   */
  addJsonIn(tx: CorkedTransaction, name: string, json: ValueParts, jobId: string): QueuedJob {
    const size = byteLengthOf(json);
    const job = RawJsonJob.build(this as Queue, name, size, { ...this.jobsOpts, jobId });
    const backend = this.backend as RedisQueueBackend;
    // Where the add's reply will be in exec()'s list.
    const at = tx.length;
    // Both only queue their command; the add goes first, since it refuses an id whose key exists.
    // On a transaction, BullMQ's promise settles at once: the add's result comes with exec().
    void backend.addJobToTransaction(tx as never, job.asJSON(), jobId);
    tx.hsetParts(this.toKey(jobId), 'data', json, size);
    return {
      outcome: (replies) => {
        const [addError, added] = replies[at] ?? [new Error(`job ${jobId}: transaction aborted`), null];
        if (addError) throw addError;
        // BullMQ's add scripts answer a refusal (a missing parent, say) with a negative code.
        if (typeof added === 'number' && added < 0)
          throw backend.finishedErrors({
            code: added,
            jobId,
            parentKey: job.parentKey ?? '',
            command: 'addJob',
          });
        const [dataError] = replies[at + 1] ?? [null];
        if (dataError) throw dataError;
      },
    };
  }

  /** Adds one job whose data is `json`, in a transaction of its own. */
  async addJson(name: string, json: ValueParts, jobId: string): Promise<void> {
    const tx = await this.transaction();
    const queued = this.addJsonIn(tx, name, json, jobId);
    queued.outcome(await tx.exec());
  }

  /** Forgets a slot writer that lost its node, or whose slot moved; the next transaction opens one. */
  #dropWriter(writer: Redis): void {
    void this.#writer?.then(
      (current) => {
        if (current !== writer) return;
        this.#writer = undefined;
        writer.disconnect();
      },
      () => undefined,
    );
  }

  override async close(): Promise<void> {
    await super.close();
    const writer = await this.#writer?.catch(() => undefined);
    await writer?.quit().catch(() => writer.disconnect());
  }

  async #openWriter(): Promise<Redis> {
    const client = (await (this.backend as RedisQueueBackend).client) as unknown as Redis | Cluster;
    this.#slotBound = client.isCluster;
    const writer = await openWriter(client, this.toKey(''), () => this.#dropWriter(writer));
    writer.on('error', (err) => this.emit('error', err));
    for (const [name, script] of Object.entries(client.scriptsSet as Record<string, ScriptSource>)) {
      if (addScriptPrefixes.some((prefix) => name.startsWith(prefix)))
        writer.defineCommand(name, {
          lua: script.lua,
          ...(script.numberOfKeys === null ? {} : { numberOfKeys: script.numberOfKeys }),
        });
    }
    try {
      await connected(writer);
    } catch (err) {
      writer.disconnect();
      throw err;
    }
    return writer;
  }
}

/** Resolves once `redis` can take commands; rejects on its first error, or its end, before that. */
async function connected(redis: RedisClient): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const stop = () => {
      redis.off('ready', onReady);
      redis.off('error', onError);
      redis.off('end', onEnd);
    };
    const onReady = () => {
      stop();
      resolve();
    };
    const onError = (err: Error) => {
      stop();
      reject(err);
    };
    const onEnd = () => onError(new Error('Redis connection ended before it was ready'));
    redis.on('ready', onReady);
    redis.on('error', onError);
    redis.on('end', onEnd);
  });
}

/** A job queued on a transaction; `outcome` takes what the transaction's `exec()` resolved with. */
export interface QueuedJob {
  /** Throws why the job was not added; returns when it was. */
  outcome(replies: TransactionReplies): void;
}

/** The part of an ioredis Script that defining it again needs. */
interface ScriptSource {
  readonly lua: string;
  readonly numberOfKeys: number | null;
}

import { DelayedError, type Job, type Queue, UnrecoverableError, Worker } from 'bullmq';
import { BudgetExhaustedError } from '../src/atlassian/budget/budget-exhausted-error.ts';
import type { BudgetPriority, RedisJiraBudget } from '../src/atlassian/budget/redis-jira-budget.ts';
import type { JiraClient } from '../src/atlassian/jira/jira-client.ts';
import { JiraHttpError } from '../src/atlassian/jira/jira-http-error.ts';
import type { Connection } from '../src/connections/connection.ts';
import type { ConnectionStore } from '../src/connections/connection-store.ts';
import type { Logger } from '../src/logger.ts';
import { queueNames } from '../src/queues/queue-names.ts';
import type { RedisSyncCursors } from '../src/state/cursors.ts';
import { backfillSlice } from '../src/sync/backfill.ts';
import { pollSite } from '../src/sync/incremental-poll.ts';
import { reconcileSite } from '../src/sync/reconcile.ts';
import { replaySlice } from '../src/sync/replay.ts';
import type { RedisSiteLease } from '../src/sync/site-lease.ts';
import type { SyncPassDeps } from '../src/sync/sync-deps.ts';
import { type ConnectionJob, connectionJobSchema, syncJobs } from '../src/sync/sync-jobs.ts';
import type { SyncPlanner } from '../src/sync/sync-planner.ts';
import type { WorkerConnection } from './worker-options.ts';

export interface SyncWorkerDeps {
  readonly connections: Pick<ConnectionStore, 'get'>;
  readonly clientFor: (connection: Connection, priority: BudgetPriority) => JiraClient;
  readonly pass: SyncPassDeps;
  readonly cursors: RedisSyncCursors;
  readonly leases: RedisSiteLease;
  readonly budget: Pick<RedisJiraBudget, 'leave'>;
  readonly planner: Pick<SyncPlanner, 'plan'>;
  /** The sync queue: a quota pause of the app's pool rate-limits all of it. */
  readonly queue: Queue;
  /** SYNC_SITE_BUSY_RETRY_MS. */
  readonly busyRetryMs: number;
  /** How often a paused connection's backfill or replay looks again whether it was resumed; default 30 s. */
  readonly pausedRetryMs?: number;
  readonly log: Logger;
}

type Step = { readonly result: unknown; readonly again: boolean };

/** Jobs that carry on from a checkpoint, slice by slice, until their scan is done. */
const resumable: ReadonlySet<string> = new Set([syncJobs.backfill, syncJobs.replay]);
const defaultPausedRetryMs = 30_000;

const priorities: Readonly<Record<string, BudgetPriority>> = {
  [syncJobs.poll]: 'poll',
  [syncJobs.backfill]: 'backfill',
  // A replay reads what a backfill reads, and is budgeted the same way.
  [syncJobs.replay]: 'backfill',
  [syncJobs.reconcile]: 'reconcile',
};

/**
 * One sync job: the planner, or a poll, backfill slice, replay slice or reconcile of one connection.
 * Only active connections are synced; a paused one's backfill or replay waits for its resume. The site's lease keeps one job per site in flight; a job that finds it
 * taken steps aside (delayed). A budget refusal or a 429 delays the job by what was asked; a quota
 * pause of the app's pool rate-limits the whole queue instead (no job would get a call through).
 * A backfill or replay slice that has more to read re-queues itself at once, after its lease is released (or
 * just after a poll of the same site that asked to go first).
 */
async function processSyncJob(job: Job, token: string | undefined, deps: SyncWorkerDeps): Promise<unknown> {
  if (job.name === syncJobs.plan) return deps.planner.plan();
  const priority = priorities[job.name];
  const parsed = connectionJobSchema.safeParse(job.data);
  if (!priority || !parsed.success) throw new UnrecoverableError(`invalid sync job ${job.name}`);
  const connection = await deps.connections.get(parsed.data.connectionId);
  // A paused connection's backfill or replay waits for the resume (its checkpoint stays put); polls
  // and reconciles come back on their schedules anyway.
  if (connection?.status === 'paused' && resumable.has(job.name)) {
    return delay(job, token, deps.pausedRetryMs ?? defaultPausedRetryMs);
  }
  if (connection?.status !== 'active') {
    return { skipped: connection ? connection.status : 'no such connection' };
  }
  const log = deps.log.child({
    queue: queueNames.sync,
    jobId: job.id,
    job: job.name,
    site: connection.siteHost,
  });
  const owner = `${job.id}:${token ?? 'none'}`;
  if (!(await deps.leases.acquire(connection.id, owner))) {
    if (job.name === syncJobs.poll && job.id) await deps.leases.askToYield(connection.id, job.id);
    return delay(job, token, deps.busyRetryMs);
  }
  let step: Step;
  try {
    step = await runStep(job, parsed.data, deps.clientFor(connection, priority), deps, owner);
  } catch (err) {
    return await postpone(err, job, token, deps, log);
  } finally {
    await deps.leases.release(connection.id, owner);
    await deps.budget.leave(connection.siteHost);
  }
  if (step.again) return delay(job, token, await handOver(connection.id, deps));
  // Polls run every few minutes for every site: their line is a debug one.
  log[job.name === syncJobs.poll ? 'debug' : 'info']({ result: step.result }, 'sync job done');
  return step.result;
}

async function runStep(
  job: Job,
  data: ConnectionJob,
  client: JiraClient,
  deps: SyncWorkerDeps,
  owner: string,
): Promise<Step> {
  const id = client.connection.id;
  const onPage = async (progress: Readonly<Record<string, unknown>>) => {
    if (!(await deps.leases.renew(id, owner))) throw new Error('sync lease lost');
    await job.updateProgress(progress);
  };
  switch (job.name) {
    case syncJobs.poll:
      if (data.since) await deps.cursors.rewind(id, Date.parse(data.since));
      return { result: await pollSite(client, deps.pass, onPage), again: false };
    case syncJobs.backfill: {
      if (data.from !== undefined) {
        await deps.cursors.startBackfill(
          id,
          data.from === null ? null : Date.parse(data.from),
          deps.pass.now(),
        );
        await job.updateData({ connectionId: id });
      }
      const outcome = await backfillSlice(client, deps.pass, onPage, () => deps.leases.yieldWanted(id));
      return { result: outcome, again: outcome.state === 'more' };
    }
    case syncJobs.replay: {
      const outcome = await replaySlice(client, deps.pass, onPage, () => deps.leases.yieldWanted(id));
      return { result: outcome, again: outcome.state === 'more' };
    }
    default:
      return { result: await reconcileSite(client, deps.pass, onPage), again: false };
  }
}

/**
 * Between two backfill slices: a poll that asked for the site goes now (promoted from its delay)
 * and the backfill comes back after it; otherwise the backfill goes on at once.
 */
async function handOver(connectionId: string, deps: SyncWorkerDeps): Promise<number> {
  const waiting = await deps.leases.takeYieldRequest(connectionId);
  if (!waiting) return 0;
  await (await deps.queue.getJob(waiting))?.promote().catch(() => undefined);
  return deps.busyRetryMs;
}

/** Budget refusals and 429s: come back when Jira (or the budget) allows; anything else fails the attempt. */
async function postpone(
  err: unknown,
  job: Job,
  token: string | undefined,
  deps: SyncWorkerDeps,
  log: Logger,
): Promise<never> {
  const refusal = refusalOf(err);
  if (!refusal) throw err;
  log.info({ reason: refusal.reason, retryInMs: refusal.ms }, 'sync job postponed by the Jira budget');
  if (refusal.reason === 'quota-app') {
    await deps.queue.rateLimit(refusal.ms);
    throw Worker.RateLimitError();
  }
  return delay(job, token, refusal.ms);
}

function refusalOf(err: unknown): { reason: string; ms: number } | undefined {
  if (err instanceof BudgetExhaustedError) {
    // A quota pause of the app's pool stops every site: pause the queue rather than each job.
    const appWide = err.reason === 'quota' && err.appWide;
    return { reason: appWide ? 'quota-app' : err.reason, ms: err.retryAfterMs };
  }
  if (err instanceof JiraHttpError && err.status === 429) {
    const global = err.rateLimitReason === 'jira-quota-global-based';
    return {
      reason: global ? 'quota-app' : (err.rateLimitReason ?? 'rate-limited'),
      ms: err.retryAfterMs ?? 1000,
    };
  }
  return undefined;
}

async function delay(job: Job, token: string | undefined, ms: number): Promise<never> {
  if (token === undefined) throw new Error('a sync job without a lock token cannot be delayed');
  await job.moveToDelayed(Date.now() + Math.max(0, ms), token);
  throw new DelayedError();
}

export function startSyncWorker(
  connection: WorkerConnection,
  deps: SyncWorkerDeps,
  opts: { concurrency: number; lockDurationMs: number },
): Worker {
  return new Worker(queueNames.sync, (job, token) => processSyncJob(job, token, deps), {
    ...connection,
    concurrency: opts.concurrency,
    lockDuration: opts.lockDurationMs,
    stalledInterval: opts.lockDurationMs,
    // Sync jobs resume from Redis state, so running one again after a stall is harmless; a busy event
    // loop that renews a lock late must not fail a backfill for good.
    maxStalledCount: 5,
  });
}

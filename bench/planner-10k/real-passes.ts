import type { Redis } from 'ioredis';
import type { JiraChange } from '../../connectors/jira-change.ts';
import type { Connection } from '../../src/connections/connection.ts';
import { createAfterPublish } from '../../src/pipeline/after-publish.ts';
import { RedisEntityState } from '../../src/state/entity-state.ts';
import { backfillSlice } from '../../src/sync/backfill.ts';
import { type PollOutcome, pollSite } from '../../src/sync/incremental-poll.ts';
import { type ReconcileOutcome, reconcileSite } from '../../src/sync/reconcile.ts';
import type { SyncPassDeps } from '../../src/sync/sync-deps.ts';
import { syncFields } from '../../src/sync/sync-scope.ts';
import type { BenchStack } from './stack.ts';

/** The real sync passes of one site, over HTTP to the simulator, on the simulation's clock. */
export interface RealPasses {
  poll(connection: Connection): Promise<PollOutcome>;
  reconcile(connection: Connection): Promise<ReconcileOutcome>;
  /** The whole backfill, slice after slice (setup: the state a long-connected site has). */
  backfill(connection: Connection): Promise<void>;
  /** What the pipeline does once a delivered webhook change is published (coverage, known issue). */
  webhookPublished(change: JiraChange): Promise<void>;
  /** Every site's project list counts as expired from now on (the calibration's cold poll). */
  expireProjectCache(): void;
}

/**
 * The relay's own passes (src/sync/) with the relay's own pass dependencies (createSyncServices'
 * `passDeps`). What they publish goes, change by change, to `published` and then through the
 * pipeline's after-publish step, which records what a publish records (the issue known to polls,
 * the webhook sighting); the connectors and Kafka are left out, they are not what is measured.
 */
export function realPasses(stack: BenchStack, published: (change: JiraChange) => void): RealPasses {
  const { sync, redis, config, jira } = stack;
  const afterPublish = createAfterPublish({
    coverage: sync.coverage,
    known: sync.known,
    // Only a deletion's cascade takes this path, and the simulation deletes nothing.
    handle: async () => undefined,
    log: stack.log,
  });
  const base = sync.passDeps({
    queue: {
      enqueue: async () => {
        throw new Error('planner-10k takes changes inline: leave SYNC_INLINE_CHANGES above 0');
      },
    },
    handle: async (change) => {
      published(change);
      await afterPublish(change);
    },
    entities: new RedisEntityState(redis, config.QUEUE_PREFIX),
    fieldsFor: async () => syncFields([]),
  });
  const cache = virtualTtl(redis, stack.sim.clock.now);
  const deps: SyncPassDeps = { ...base, scope: { ...base.scope, redis: cache.redis } };
  return {
    poll: (connection) => pollSite(jira.clientFor(connection, 'poll'), deps),
    reconcile: (connection) => reconcileSite(jira.clientFor(connection, 'reconcile'), deps),
    async backfill(connection) {
      const client = jira.clientFor(connection, 'backfill');
      while ((await backfillSlice(client, deps)).state === 'more') {}
    },
    webhookPublished: afterPublish,
    expireProjectCache: cache.expireAll,
  };
}

/**
 * The projects cache (`SYNC_PROJECTS_CACHE_SECONDS`) with its expiry on the simulation's clock:
 * Redis's own EX counts real seconds, and a simulated day passes in minutes, so the cache would
 * never expire. Values still live in Redis; only when they count as expired is decided here.
 */
function virtualTtl(redis: Redis, now: () => number): { redis: Redis; expireAll: () => void } {
  const expires = new Map<string, number>();
  const view = {
    get: async (key: string) => ((expires.get(key) ?? 0) > now() ? redis.get(key) : null),
    set: async (key: string, value: string, _ex: 'EX', seconds: number) => {
      expires.set(key, now() + seconds * 1000);
      return redis.set(key, value, 'EX', 2 * 86_400);
    },
  };
  // projectScope reads and writes its cache with `get` and `set ... EX` only.
  return { redis: view as unknown as Redis, expireAll: () => expires.clear() };
}

import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config } from '../../config/index.ts';
import type { RedisJiraBudget } from '../../src/atlassian/budget/redis-jira-budget.ts';
import { createJiraServices } from '../../src/composition/jira-services.ts';
import { createSyncServices, type SyncServices } from '../../src/composition/sync-services.ts';
import type { Connection } from '../../src/connections/connection.ts';
import { RedisConnectionStore } from '../../src/connections/redis-connection-store.ts';
import { createLogger, type Logger } from '../../src/logger.ts';
import { deleteKeysAt } from '../../test/helpers/redis-keys.ts';
import { type Simulator, startSimulator } from '../../test/sim/index.ts';
import { obtainTokens } from '../../test/sim/test-client.ts';
import type { BenchOptions, KnobSet } from './options.ts';
import { relayConfig } from './options.ts';
import { RedisMeter } from './redis-meter.ts';
import { VirtualSyncQueue } from './virtual-queue.ts';

const DAY = 86_400;

/** Everything one pool mode runs on: the simulator, real Redis stores, the relay's own wiring. */
export interface BenchStack {
  readonly sim: Simulator;
  readonly config: Config;
  readonly redis: Redis;
  /** Counts the commands of the planner's rounds (every store shares this one connection). */
  readonly meter: RedisMeter;
  /** One per simulator site, in the simulator's order. */
  readonly connections: readonly Connection[];
  readonly budget: RedisJiraBudget;
  readonly jira: ReturnType<typeof createJiraServices>;
  readonly sync: SyncServices;
  readonly queue: VirtualSyncQueue;
  readonly log: Logger;
  close(): Promise<void>;
}

/**
 * The simulator with `opts.sites` small sites on a clock that moves only when told, and the relay's
 * stores built by its own composition functions (createJiraServices, createSyncServices) on real
 * Redis under a unique prefix, with the virtual queue in BullMQ's place. Every site gets a
 * connection through the real connection store, as a consent would make it.
 */
export async function startStack(
  opts: BenchOptions,
  mode: { readonly pool: 'app' | 'site'; readonly knobs: KnobSet },
  startAt: number,
): Promise<BenchStack> {
  const sim = await startSimulator({
    port: 0,
    sites: opts.sites,
    issuesPerSite: opts.issuesPerSite,
    seed: opts.seed,
    now: () => startAt,
    // A simulated day must not expire the token, and the relay's budget is what is measured: the
    // simulator's own quota and bursts would only see the sample of real polls.
    accessTokenTtlSeconds: 60 * DAY,
    refreshInactivitySeconds: 365 * DAY,
    pointsPerWindow: Number.MAX_SAFE_INTEGER,
    burstGetPostPerSecond: 0,
  });
  const config = relayConfig(mode.pool, mode.knobs, sim);
  const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
  const meter = new RedisMeter(redis);
  const log = createLogger({ level: 'silent' });
  const now = sim.clock.now;
  const store = new RedisConnectionStore({ redis, keyPrefix: config.QUEUE_PREFIX, now });
  const tokens = await simulatorTokens(sim.url);
  const jira = createJiraServices(config, { redis, tokens, log, now });
  const queue = new VirtualSyncQueue(now);
  const sync = createSyncServices(config, {
    redis,
    // The real SyncScheduler writes to this stand-in: it calls only upsertJobScheduler, add and
    // removeJobScheduler, which the virtual queue implements on the simulation's clock.
    syncQueue: queue as unknown as Queue,
    connections: store,
    budget: jira.budget,
    log,
    now,
  });
  const connections = await connectSites(sim, store, config);
  return {
    sim,
    config,
    redis,
    meter,
    connections,
    budget: jira.budget,
    jira,
    sync,
    queue,
    log,
    async close() {
      await sim.close();
      await deleteKeysAt(opts.redisUrl, config.QUEUE_PREFIX);
      redis.disconnect();
    },
  };
}

/** One account's token for every site (every simulator user sees every site); refreshed on a 401. */
async function simulatorTokens(url: string) {
  let token = (await obtainTokens(url)).access_token;
  return {
    getAccessToken: async () => token,
    refreshAfterRejection: async () => {
      token = (await obtainTokens(url)).access_token;
      return token;
    },
  };
}

/** A connection per simulator site through the store's consent path, 100 at a time. */
async function connectSites(
  sim: Simulator,
  store: RedisConnectionStore,
  config: Config,
): Promise<Connection[]> {
  const accountId = sim.users[0]?.accountId ?? 'bench-account';
  const out: Connection[] = [];
  for (let i = 0; i < sim.sites.length; i += 100) {
    const batch = sim.sites.slice(i, i + 100);
    const made = await Promise.all(
      batch.map((site) =>
        store.upsertFromConsent(
          { cloudId: site.cloudId, url: site.url, name: site.name, scopes: config.ATLASSIAN_SCOPES },
          accountId,
        ),
      ),
    );
    out.push(...made.map((m) => m.connection));
  }
  return out;
}

import type { Simulator } from '../../test/sim/index.ts';
import type { ChaosOptions } from './options.ts';
import { sleep } from './processes.ts';
import type { RelayFleet } from './relay.ts';
import type { KafkaBroker, RedisServer } from './services.ts';
import type { Timeline } from './timeline.ts';

export interface FaultTargets {
  readonly fleet: RelayFleet;
  readonly redis: RedisServer;
  readonly kafka: KafkaBroker;
  readonly sim: Simulator;
  readonly timeline: Timeline;
  readonly options: ChaosOptions;
}

/** Webhook faults for the whole load: drops, duplicates, and a shuffle of what is left. */
export function startWebhookFaults(t: FaultTargets): void {
  const o = t.options;
  if (!o.faults) {
    t.timeline.add('no faults (CHAOS_FAULTS=0): a baseline run');
    return;
  }
  t.sim.setFaults({
    webhookDropRate: o.dropRate,
    webhookDuplicateRate: o.duplicateRate,
    webhookShuffleWindowMs: o.shuffleWindowMs,
  });
  t.timeline.add(
    `webhooks: drop ${o.dropRate * 100}%, duplicate ${o.duplicateRate * 100}%, shuffle within ${o.shuffleWindowMs} ms`,
  );
}

export function stopWebhookFaults(t: FaultTargets): void {
  if (!t.options.faults) return;
  t.sim.setFaults({});
  t.timeline.add('webhook faults off');
}

async function killWorker(t: FaultTargets, name: string): Promise<void> {
  const pid = await t.fleet.kill(name);
  t.timeline.add(`${name} SIGKILL (pid ${pid})`);
  await sleep(t.options.restartDelayMs);
  const since = t.timeline.now();
  const again = await t.fleet.restart(name);
  t.timeline.add(`${name} ready again (pid ${again}, ${(t.timeline.now() - since).toFixed(1)} s to ready)`);
}

async function crashRedis(t: FaultTargets): Promise<void> {
  const pid = t.redis.pid;
  await t.redis.crash();
  t.timeline.add(`redis kill -9 (pid ${pid}); down for ${t.options.redisDownMs} ms`);
  await sleep(t.options.redisDownMs);
  const since = t.timeline.now();
  await t.redis.start();
  t.timeline.add(
    `redis ready again (pid ${t.redis.pid}, same port and AOF dir, ${(t.timeline.now() - since).toFixed(1)} s to ready)`,
  );
}

async function restartBroker(t: FaultTargets): Promise<void> {
  t.timeline.add(`broker restart: stopping (pid ${t.kafka.pid})`);
  await t.kafka.stop();
  t.timeline.add('broker stopped; starting with its data');
  await t.kafka.start(false);
  t.timeline.add(`broker ready again (pid ${t.kafka.pid})`);
}

/**
 * The schedule: each fault starts at its moment of the load whatever the others are doing (a broker
 * restart can still be under way when the next worker is killed). Resolves when every process is
 * back; rejects when one could not be brought back.
 */
export async function runFaultSchedule(t: FaultTargets, loadStartedAt: number): Promise<void> {
  if (!t.options.faults) return;
  const loadMs = t.options.loadSeconds * 1000;
  const at = t.options.faultAt;
  const steps: Array<[number, () => Promise<void>]> = [
    [at.worker1, () => killWorker(t, 'worker-1')],
    [at.redis, () => crashRedis(t)],
    [at.broker, () => restartBroker(t)],
    [at.worker2, () => killWorker(t, 'worker-2')],
  ];
  await Promise.all(
    steps.map(async ([fraction, run]) => {
      await sleep(Math.max(0, loadStartedAt + fraction * loadMs - Date.now()));
      await run();
    }),
  );
}

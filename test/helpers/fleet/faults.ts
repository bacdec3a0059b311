import net from 'node:net';
import { sleep, waitUntil } from '../../../bench/chaos/processes.ts';
import { fleetKafkaBrokers, kafkaCluster, redisCluster } from './clusters.ts';
import type { FaultRecord } from './recovery.ts';
import type { RelayFleet } from './relay-fleet.ts';

export interface FaultPlan {
  /** The hash slot of the relay's queue keys on the Redis Cluster; undefined: the relay is on one Redis. */
  readonly redisSlot: number | undefined;
  /** The Kafka node stopped and started again (1-3). */
  readonly kafkaNode: number;
  readonly workerToKill: string;
  /** Seconds into the load each fault starts at the earliest (after the previous one ended). */
  readonly atSeconds: { readonly redis: number; readonly kafka: number; readonly worker: number };
  /** How long the broker stays down. */
  readonly brokerDownMs: number;
  /** A supervisor's restart delay before the killed worker's replacement starts. */
  readonly restartDelayMs: number;
}

/** Whether something accepts a TCP connection at `host:port`. */
const answers = (address: string) =>
  new Promise<boolean>((resolve) => {
    const [host, port] = address.split(':');
    const socket = net.connect({ host: host ?? '', port: Number(port) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true)).once('error', () => done(false));
    socket.setTimeout(1000, () => done(false));
  });

/** kill -9 of the primary serving the queues' slot; done when another node serves it, then revives it. */
async function failOverRedis(slot: number): Promise<FaultRecord> {
  const name = 'Redis primary kill -9 (failover)';
  const at = Date.now();
  const killed = await redisCluster.killPrimary(slot);
  let promoted: number | undefined;
  await waitUntil(
    'a replica promoted',
    async () => {
      promoted = await redisCluster.primaryFor(slot, killed).catch(() => undefined);
      return promoted !== undefined && promoted !== killed;
    },
    { timeoutMs: 60_000, everyMs: 100 },
  );
  const backAt = Date.now();
  await redisCluster.revive(killed);
  await waitUntil(
    'the killed primary back as a replica',
    async () => (await redisCluster.role(killed)) === 'slave',
    {
      timeoutMs: 30_000,
    },
  );
  const note = `slot ${slot}: :${killed} killed, :${promoted} promoted; :${killed} back as its replica`;
  return { name, at, backAt, back: 'replica promoted', note, skipped: false };
}

/** A graceful stop of one broker, down for a while, then started again with its data. */
async function bounceBroker(node: number, downMs: number): Promise<FaultRecord> {
  const address = fleetKafkaBrokers[node - 1] ?? '';
  const at = Date.now();
  await kafkaCluster.stopNode(node);
  const stoppedAfter = (Date.now() - at) / 1000;
  if (await answers(address)) throw new Error(`broker ${address} still answers after stop-node`);
  await sleep(downMs);
  await kafkaCluster.startNode(node);
  const note = `node ${node} (${address}): stop took ${stoppedAfter.toFixed(1)} s, down ${downMs / 1000} s more`;
  return {
    name: `Kafka broker ${node} stop + start`,
    at,
    backAt: Date.now(),
    back: 'broker back',
    note,
    skipped: false,
  };
}

/** SIGKILL of one worker; a replacement is started after the restart delay, as a supervisor would. */
async function killWorker(fleet: RelayFleet, name: string, restartDelayMs: number): Promise<FaultRecord> {
  const at = Date.now();
  const { pid, signal } = await fleet.kill(name);
  if (signal !== 'SIGKILL') throw new Error(`${name} (pid ${pid}) ended by ${signal}, not SIGKILL`);
  await sleep(restartDelayMs);
  const replacement = await fleet.replace(name);
  const note = `pid ${pid} killed; replacement pid ${replacement.child.pid} after ${restartDelayMs / 1000} s`;
  return {
    name: `${name} SIGKILL + replacement`,
    at,
    backAt: Date.now(),
    back: 'replacement ready',
    note,
    skipped: false,
  };
}

/**
 * The faults, one after another so each one's recovery can be told apart: a Redis primary's
 * failover (only when the relay runs on the Redis Cluster), a broker stopped and started, a worker
 * SIGKILLed and replaced. Each starts at its moment of the load or when the previous one ended.
 */
export async function runFaults(
  fleet: RelayFleet,
  plan: FaultPlan,
  loadStartedAt: number,
): Promise<FaultRecord[]> {
  const records: FaultRecord[] = [];
  const at = async (s: number) => sleep(Math.max(0, loadStartedAt + s * 1000 - Date.now()));
  if (plan.redisSlot === undefined) {
    const note =
      'skipped: the relay has no Redis Cluster mode yet (REDIS_CLUSTER_NODES), it runs on one Redis';
    records.push({
      name: 'Redis primary kill -9 (failover)',
      at: 0,
      backAt: undefined,
      back: '',
      note,
      skipped: true,
    });
  } else {
    await at(plan.atSeconds.redis);
    records.push(await failOverRedis(plan.redisSlot));
  }
  await at(plan.atSeconds.kafka);
  records.push(await bounceBroker(plan.kafkaNode, plan.brokerDownMs));
  await at(plan.atSeconds.worker);
  records.push(await killWorker(fleet, plan.workerToKill, plan.restartDelayMs));
  return records;
}

/**
 * Redis CPU per stored events job: the job's bytes through BullMQ's add script (as `Queue.add`
 * sends them) against RawJsonQueue's add of a placeholder plus an HSET of the bytes, in one MULTI.
 *   node bench/raw-json-cost.ts     (REDIS_URL, default redis://127.0.0.1:6379; Redis must be local)
 * Redis copies script arguments into Lua; the figures show what that costs per KB.
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { RawJsonQueue } from '../src/queues/bullmq-internals/raw-json-queue.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const jobsPerCase = 2000;
const inFlight = 50;

/** Redis's own CPU time so far, in µs, from INFO (user + system). */
async function redisCpuUs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? Number.NaN);
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1e6;
}

/** A batch of `deliveries` 7 KB bodies, as JSON bytes. */
function batchOf(deliveries: number): Buffer {
  const body = JSON.stringify({ webhookEvent: 'jira:issue_updated', pad: 'x'.repeat(7000) });
  return Buffer.from(`{"deliveries":[${Array.from({ length: deliveries }, () => body).join(',')}]}`);
}

async function cpuPerJob(redis: Redis, add: () => Promise<unknown>): Promise<number> {
  const before = await redisCpuUs(redis);
  for (let sent = 0; sent < jobsPerCase; sent += inFlight)
    await Promise.all(Array.from({ length: inFlight }, add));
  return ((await redisCpuUs(redis)) - before) / jobsPerCase;
}

export async function runRawJsonCostBench(): Promise<string> {
  const redis = new Redis(redisUrl);
  const name = `bench-raw-json-${randomUUID().slice(0, 8)}`;
  const scripted = new Queue(name, { connection: { url: redisUrl } });
  const raw = new RawJsonQueue(name, { connection: { url: redisUrl } });
  const rows = [
    '| deliveries per job | job bytes | through the add script, µs | MULTI + HSET, µs | ratio |',
    '|---|---|---|---|---|',
  ];
  try {
    for (const deliveries of [1, 20]) {
      const json = batchOf(deliveries);
      const text = json.toString('utf8');
      // Queue.add stringifies its data; a pre-serialized object stands in, so no parse is timed.
      const throughScript = await cpuPerJob(redis, () =>
        scripted.add('deliveries', { toJSON: () => JSON.parse(text) }),
      );
      const multi = await cpuPerJob(redis, () => raw.addJson('deliveries', [json], `raw-${randomUUID()}`));
      rows.push(
        `| ${deliveries} | ${json.length} | ${throughScript.toFixed(1)} | ${multi.toFixed(1)} | ${(throughScript / multi).toFixed(2)} |`,
      );
    }
  } finally {
    await scripted.obliterate({ force: true });
    await Promise.all([scripted.close(), raw.close()]);
    redis.disconnect();
  }
  return rows.join('\n');
}

if (process.argv[1] === new URL(import.meta.url).pathname) console.log(await runRawJsonCostBench());

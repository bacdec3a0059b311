import { Redis } from 'ioredis';
import { queueNames } from '../src/queues/queue-names.ts';
import { deliveryKey, seenKey } from '../src/state/delivery-claims.ts';
import { type JobTimes, watchJobEvents } from './e2e-job-events.ts';
import { type BenchProcess, metricValue } from './e2e-processes.ts';
import type { Arrival } from './e2e-reader.ts';
import type { CommandTimes } from './e2e-redis-times.ts';
import { type DeliveryTimeline, type SplitRow, splitTimelines, stats } from './e2e-split.ts';
import { type LatencyRow, runStep, type Sent, site } from './e2e-step.ts';

/** The bare pipeline's one queue (bench/bare-pipeline/main.ts). */
export const bareQueueName = 'bare-deliveries';

export interface SplitStep {
  readonly row: LatencyRow;
  readonly split: SplitRow[];
  /** The process's Redis commands during the step, and how many deliveries they served. */
  readonly commands: CommandTimes;
  readonly deliveries: number;
  /** From the process's own `jira_relay_kafka_publish_seconds{kind="events"}`: calls per delivery, mean ms. */
  readonly publish: { readonly perDelivery: number; readonly meanMs: number };
  /** Jobs of the relay's changes queue during the step (changes deferred), and their pickup. */
  readonly changesJobs: ReturnType<typeof stats>;
  readonly latencies: readonly number[];
  readonly nextId: number;
}

/**
 * One step with everything that times it switched on: BullMQ's event streams read from outside,
 * the process's Redis commands traced (bench/e2e-redis-trace.ts), its publish histogram read
 * before and after. Kept apart from the ratio steps, which run with none of it.
 */
export async function runSplitStep(
  p: { readonly process: BenchProcess; readonly kind: 'relay' | 'bare'; readonly prefix: string },
  ctx: { readonly redisUrl: string; readonly secret: string; readonly runTag: string },
  arrivals: ReadonlyMap<number, Arrival>,
  step: { readonly rate: number; readonly seconds: number },
  firstId: number,
): Promise<SplitStep> {
  const queue = p.kind === 'relay' ? queueNames.events : bareQueueName;
  const stream = (name: string) => `${p.prefix}:${name}:events`;
  const watcher = watchJobEvents(ctx.redisUrl, [stream(queue)]);
  const changesWatcher =
    p.kind === 'relay' ? watchJobEvents(ctx.redisUrl, [stream(queueNames.changes)]) : undefined;
  const before = await p.process.metrics();
  p.process.startTrace();
  const result = await runStep(
    { pipeline: p.kind, port: p.process.port, secret: ctx.secret, runTag: ctx.runTag },
    arrivals,
    { phase: 'split', rate: step.rate, seconds: step.seconds, drainMs: 20_000 },
    firstId,
  );
  const commands = await p.process.stopTrace();
  const after = await p.process.metrics();
  const jobs = await watcher.stop();
  const changes = (await changesWatcher?.stop()) ?? new Map<string, JobTimes>();
  const jobOf =
    p.kind === 'relay'
      ? await relayJobsOf(ctx.redisUrl, p.prefix, result.sent)
      : new Map([...result.sent.keys()].map((id) => [id, arrivals.get(id)?.job]));
  const timelines: DeliveryTimeline[] = [...result.sent].map(([id, s]) => {
    const a = arrivals.get(id);
    const jobId = jobOf.get(id);
    return {
      sentAt: s.sentAt,
      respondedAt: s.respondedAt,
      job: jobId === undefined ? undefined : jobs.get(jobId),
      crm: a?.crm,
      monitoring: a?.monitoring,
    };
  });
  const delta = (name: string) =>
    metricValue(after, name, '{kind="events"}') - (metricValue(before, name, '{kind="events"}') || 0);
  const calls = delta('jira_relay_kafka_publish_seconds_count');
  return {
    row: result.row,
    split: splitTimelines(timelines),
    commands,
    deliveries: result.sent.size,
    publish: {
      perDelivery: calls / result.sent.size,
      meanMs: (delta('jira_relay_kafka_publish_seconds_sum') / calls) * 1000,
    },
    changesJobs: stats(
      [...changes.values()].flatMap((j) =>
        j.addedAt !== undefined && j.activeAt !== undefined ? [j.activeAt - j.addedAt] : [],
      ),
    ),
    nextId: result.nextId,
    latencies: result.latencies,
  };
}

/** Which events job carried each delivery: its dedupe claim holds `<job id>/<index>`. */
async function relayJobsOf(
  redisUrl: string,
  prefix: string,
  sent: ReadonlyMap<number, Sent>,
): Promise<Map<number, string | undefined>> {
  const redis = new Redis(redisUrl);
  const out = new Map<number, string | undefined>();
  try {
    const entries = [...sent];
    for (let i = 0; i < entries.length; i += 1000) {
      const chunk = entries.slice(i, i + 1000);
      const owners = await redis.mget(
        chunk.map(([, s]) => seenKey(prefix, deliveryKey({ siteHost: site, deliveryId: s.deliveryId }))),
      );
      chunk.forEach(([id], k) => {
        const owner = owners[k];
        out.set(id, owner ? owner.slice(0, owner.lastIndexOf('/')) : undefined);
      });
    }
  } finally {
    redis.disconnect();
  }
  return out;
}

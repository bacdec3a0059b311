/**
 * What storing a delivery costs the intake process, by batch size: the events job with its dedupe
 * claims, in one MULTI, without HTTP in the way. Batch size is what the intake cannot choose (it
 * is whatever arrived in one event-loop turn), so this shows how much of intake's CPU is per batch.
 *   node bench/intake-batch-cost.ts     (REDIS_URL, default redis://127.0.0.1:6379)
 * CPU is the whole process (main thread, GC threads, and the kernel time of its socket writes).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RawJsonQueue } from '../src/queues/bullmq-internals/raw-json-queue.ts';
import { BatchingDeliveryQueue, type DeliveryBatch } from '../src/queues/delivery-queue.ts';
import type { WebhookDelivery } from '../src/queues/webhook-delivery.ts';
import { deleteKeysAt } from '../test/helpers/redis-keys.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const deliveriesPerSize = 20_000;
const batchesInFlight = 4;
const fixture = path.join(
  import.meta.dirname,
  '../test/fixtures/webhooks/jira_issue_updated__mattermost-plugin-jira-status-todo-to-inprogress.json',
);
const rawBody = Buffer.from(JSON.stringify(JSON.parse(readFileSync(fixture, 'utf8'))));
const body = JSON.parse(rawBody.toString('utf8')) as Record<string, unknown>;

function delivery(): WebhookDelivery {
  return {
    siteHost: 'bench.atlassian.net',
    auth: 'jwt',
    deliveryId: randomUUID(),
    receivedAt: Date.now(),
    retry: 0,
    body,
  };
}

/** Sends batches of exactly `size` (each enqueued in one turn), `batchesInFlight` at a time. */
async function cpuPerDelivery(deliveries: BatchingDeliveryQueue, size: number): Promise<number> {
  const batch = () =>
    Promise.all(Array.from({ length: size }, () => deliveries.enqueue(delivery(), rawBody)));
  await batch(); // the writer connection and its scripts
  const before = process.cpuUsage();
  const inFlight = new Set<Promise<unknown>>();
  for (let sent = 0; sent < deliveriesPerSize; sent += size) {
    const stored = batch();
    inFlight.add(stored);
    void stored.then(() => inFlight.delete(stored));
    if (inFlight.size >= batchesInFlight) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / deliveriesPerSize;
}

export async function runIntakeBatchCostBench(): Promise<string> {
  const name = `bench-batch-cost-${randomUUID().slice(0, 8)}`;
  const queue = new RawJsonQueue<DeliveryBatch>(name, { connection: { url: redisUrl } });
  const rows = ['| deliveries per batch | process CPU µs per delivery | per batch |', '|---|---|---|'];
  try {
    for (const size of [1, 4, 16, 64]) {
      const deliveries = new BatchingDeliveryQueue({
        queue,
        keyPrefix: `${name}-state`,
        dedupeTtlMs: 60_000,
        maxBatch: size,
      });
      const perDelivery = await cpuPerDelivery(deliveries, size);
      rows.push(`| ${size} | ${perDelivery.toFixed(1)} | ${(perDelivery * size).toFixed(0)} |`);
    }
  } finally {
    await queue.obliterate({ force: true });
    await queue.close();
    await deleteKeysAt(redisUrl, `${name}-state`);
  }
  return rows.join('\n');
}

if (process.argv[1] === import.meta.filename) console.log(await runIntakeBatchCostBench());

import { type Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { RawJsonQueue } from '../../../src/queues/bullmq-internals/raw-json-queue.ts';
import { BatchingDeliveryQueue, type DeliveryBatch } from '../../../src/queues/delivery-queue.ts';
import type { WebhookDelivery } from '../../../src/queues/webhook-delivery.ts';
import { answeredRepeatKey, deliveryKey, seenKey } from '../../../src/state/delivery-claims.ts';
import { createRedisClient, type RedisClient } from '../../../src/state/redis-client.ts';
import { realWebhookBody } from '../../helpers/jira-webhook.ts';
import { startPrivateRedis } from '../../helpers/private-redis.ts';
import { deleteKeysWithPrefix } from '../../helpers/redis-keys.ts';
import { bullPrefixOf, redisTarget, uniqueName } from '../../helpers/services.ts';

// As in the relay, the queues and the claims share one prefix: `{…}` on a cluster, so the intake's
// MULTI (claims and job) has one slot.
const keyPrefix = bullPrefixOf(uniqueName('delivery-queue'));
const queues: RawJsonQueue<DeliveryBatch>[] = [];

function newQueue(opts: { parentThatIsGone?: boolean } = {}): RawJsonQueue<DeliveryBatch> {
  const queue = new RawJsonQueue<DeliveryBatch>(uniqueName('events'), {
    connection: testRedisForFile(),
    prefix: keyPrefix,
    // A parent that does not exist makes BullMQ's add script refuse the job inside the MULTI,
    // after the claims before it have run: the failure the queue must undo.
    ...(opts.parentThatIsGone
      ? {
          defaultJobOptions: {
            parent: { id: 'gone', queue: `${keyPrefix}:${uniqueName('missing')}` },
          } as never,
        }
      : {}),
  });
  queues.push(queue);
  return queue;
}

afterAll(async () => {
  for (const queue of queues) {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
  const redis = testRedisForFile();
  await deleteKeysWithPrefix(redis, keyPrefix);
  await redis.quit();
});

let fileRedis: RedisClient | undefined;
function testRedisForFile(): RedisClient {
  fileRedis ??= createRedisClient(redisTarget(), { maxRetriesPerRequest: null });
  return fileRedis;
}

function delivery(id: string, body = realWebhookBody('issue_updated')): WebhookDelivery {
  return {
    siteHost: 'acme.atlassian.net',
    auth: 'jwt',
    deliveryId: id,
    receivedAt: Date.now(),
    retry: 0,
    body,
  };
}

describe('BatchingDeliveryQueue on real Redis', () => {
  it('stores each batch with its claims, and a worker reads every delivery, never a placeholder', async () => {
    const queue = newQueue();
    const deliveries = new BatchingDeliveryQueue({ queue, keyPrefix, dedupeTtlMs: 60_000, maxBatch: 7 });
    const read: { job: Job; batch: DeliveryBatch }[] = [];
    const worker = new Worker<DeliveryBatch>(
      queue.name,
      async (job) => {
        read.push({ job, batch: job.data });
      },
      { connection: testRedisForFile(), prefix: keyPrefix, concurrency: 8 },
    );
    try {
      const ids = Array.from({ length: 120 }, (_, i) => uniqueName(`d${i}`));
      // Sent in waves while the worker is already taking jobs.
      const outcomes: string[] = [];
      for (let wave = 0; wave < 6; wave++) {
        const part = ids.slice(wave * 20, wave * 20 + 20);
        outcomes.push(...(await Promise.all(part.map((id) => deliveries.enqueue(delivery(id))))));
      }
      expect(outcomes.every((o) => o === 'queued')).toBe(true);
      await expect
        .poll(() => read.reduce((n, r) => n + r.batch.deliveries.length, 0), { timeout: 10_000 })
        .toBe(120);

      const redis = testRedisForFile();
      for (const { job, batch } of read) {
        expect(batch).not.toBeNull();
        expect(batch.deliveries.length).toBeLessThanOrEqual(7);
        for (const [index, d] of batch.deliveries.entries()) {
          expect(d.body).toEqual(realWebhookBody('issue_updated'));
          // The claim names the delivery's place in its job: the owner the events worker checks.
          expect(await redis.get(seenKey(keyPrefix, deliveryKey(d)))).toBe(`${job.id}/${index}`);
        }
      }
      expect(new Set(read.flatMap((r) => r.batch.deliveries.map((d) => d.deliveryId)))).toEqual(new Set(ids));
    } finally {
      await worker.close();
    }
  });

  it('answers a repeat as a duplicate, in the same batch and in a later one, and stores it once', async () => {
    const queue = newQueue();
    const deliveries = new BatchingDeliveryQueue({ queue, keyPrefix, dedupeTtlMs: 60_000 });
    const id = uniqueName('repeat');
    const first = await Promise.all([
      deliveries.enqueue(delivery(id)),
      deliveries.enqueue({ ...delivery(id), retry: 1 }),
    ]);
    expect(first).toEqual(['queued', 'duplicate']);
    expect(await deliveries.enqueue({ ...delivery(id), retry: 2 })).toBe('duplicate');

    const jobs = await queue.getJobs(['waiting']);
    const stored = jobs.flatMap((job) => job.data.deliveries).filter((d) => d.deliveryId === id);
    // Once in the first batch; the later repeat rides in its own job, where the claim marks it
    // as another job's delivery, so the events worker drops it, and intake's mark says that it
    // was answered as a repeat, so the worker does not count it again.
    expect(stored.map((d) => d.retry).sort()).toEqual([0, 2]);
    const later = jobs.find((job) => job.data.deliveries.some((d) => d.deliveryId === id && d.retry === 2));
    const index = later?.data.deliveries.findIndex((d) => d.deliveryId === id) ?? -1;
    const seen = seenKey(keyPrefix, deliveryKey(delivery(id)));
    const redis = testRedisForFile();
    expect(await redis.exists(answeredRepeatKey(seen, `${later?.id}/${index}`))).toBe(1);
    expect(await redis.get(seen)).not.toBe(`${later?.id}/${index}`);
  });

  it('takes its claims back when the job is refused inside the transaction, so the retry is queued', async () => {
    const refusing = new BatchingDeliveryQueue({
      queue: newQueue({ parentThatIsGone: true }),
      keyPrefix,
      dedupeTtlMs: 60_000,
    });
    const working = new BatchingDeliveryQueue({ queue: newQueue(), keyPrefix, dedupeTtlMs: 60_000 });
    const d = delivery(uniqueName('refused'));

    await expect(refusing.enqueue(d)).rejects.toThrow(/parent/i);
    expect(await testRedisForFile().exists(seenKey(keyPrefix, deliveryKey(d)))).toBe(0);
    expect(await working.enqueue({ ...d, retry: 1 })).toBe('queued');
  });

  it('answers a batch as queued when its claims fail inside the transaction, the job being stored', async () => {
    const queue = newQueue();
    const deliveries = new BatchingDeliveryQueue({ queue, keyPrefix, dedupeTtlMs: 60_000 });
    // The claim script failing at run time, as a script Redis lost would: the add still runs.
    queue.defineWriterScript('claimDeliveryBatch', "return redis.error_reply('claims lost')");
    const ids = [uniqueName('unclaimed'), uniqueName('unclaimed')];

    expect(await Promise.all(ids.map((id) => deliveries.enqueue(delivery(id))))).toEqual([
      'queued',
      'queued',
    ]);
    const [job] = await queue.getJobs(['waiting']);
    expect(job?.data.deliveries.map((d) => d.deliveryId)).toEqual(ids);
    // No claim was made: the events worker claims each delivery when it takes the job.
    const redis = testRedisForFile();
    for (const id of ids) expect(await redis.exists(seenKey(keyPrefix, deliveryKey(delivery(id))))).toBe(0);
  });

  it('fails one batch after Redis lost its scripts (SCRIPT FLUSH), and queues the retry and what follows', async () => {
    // SCRIPT FLUSH empties every script of a server: this test has one of its own.
    const server = await startPrivateRedis();
    const queue = new RawJsonQueue<DeliveryBatch>('events', { connection: { url: server.url } });
    const admin = new Redis(server.url);
    onTestFinished(async () => {
      await queue.close();
      await admin.quit();
      await server.stop();
    });
    const deliveries = new BatchingDeliveryQueue({ queue, keyPrefix, dedupeTtlMs: 60_000 });
    expect(await deliveries.enqueue(delivery('before'))).toBe('queued');

    await admin.script('FLUSH');
    // Refused, so the intake answers 503 and Jira retries; nothing of it was stored.
    await expect(deliveries.enqueue(delivery('during'))).rejects.toThrow(/NOSCRIPT/);
    expect(await deliveries.enqueue({ ...delivery('during'), retry: 1 })).toBe('queued');
    expect(await deliveries.enqueue(delivery('after'))).toBe('queued');

    const jobs = await queue.getJobs(['waiting']);
    const stored = jobs.flatMap((job) => job.data.deliveries.map((d) => `${d.deliveryId}/${d.retry}`));
    expect(stored.sort()).toEqual(['after/0', 'before/0', 'during/1']);
  });
});

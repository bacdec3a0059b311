import { Queue, QueueEvents, Worker } from 'bullmq';
import { describe, expect, it, onTestFinished } from 'vitest';
import { bullPrefixOf, testRedis, uniqueName } from '../../helpers/services.ts';

describe('BullMQ on the real Redis', () => {
  it('adds a job and processes it through Redis', async () => {
    // On a cluster, a queue's keys must share a slot: BullMQ's prefix as a hash tag (`{bull}`).
    const options = { connection: testRedis(), prefix: bullPrefixOf('bull') };
    const name = uniqueName('smoke');
    const queue = new Queue(name, options);
    // From the stream's start: a cluster client may be ready before its first XREAD ('$') is sent, and
    // a job finished in between would go unseen.
    const events = new QueueEvents(name, { ...options, lastEventId: '0-0' });
    const worker = new Worker(name, async (job) => ({ doubled: (job.data as { n: number }).n * 2 }), options);
    onTestFinished(async () => {
      await worker.close();
      await events.close();
      await queue.obliterate({ force: true });
      await queue.close();
    });
    await events.waitUntilReady();

    const job = await queue.add('double', { n: 21 });
    const result = await job.waitUntilFinished(events, 10_000);

    expect(result).toEqual({ doubled: 42 });
    expect(await queue.getJobCounts('completed')).toEqual({ completed: 1 });
  });
});

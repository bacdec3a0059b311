import { Queue, QueueEvents, Worker } from 'bullmq';
import { describe, expect, it, onTestFinished } from 'vitest';
import { redisUrl, uniqueName } from '../../helpers/services.ts';

describe('BullMQ on the real Redis', () => {
  it('adds a job and processes it through Redis', async () => {
    const connection = { url: redisUrl(), maxRetriesPerRequest: null };
    const name = uniqueName('smoke');
    const queue = new Queue(name, { connection });
    const events = new QueueEvents(name, { connection });
    const worker = new Worker(name, async (job) => ({ doubled: (job.data as { n: number }).n * 2 }), {
      connection,
    });
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

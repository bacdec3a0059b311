import type { Job, Queue, Worker } from 'bullmq';
import type { Metrics } from './registry.ts';

const states = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'failed',
  'completed',
] as const;

/** Queue depth per state, read from Redis when /metrics is scraped (one call per queue). */
export function observeQueueDepth(metrics: Metrics, queues: readonly Queue[]): void {
  const gauge = metrics.queueJobs;
  // prom-client calls collect() on scrape; replace the default no-op.
  (gauge as unknown as { collect: () => Promise<void> }).collect = async () => {
    gauge.reset();
    await Promise.all(
      queues.map(async (queue) => {
        const counts = await queue.getJobCounts(...states);
        for (const state of states) gauge.set({ queue: queue.name, state }, counts[state] ?? 0);
      }),
    );
  };
}

/** Job duration per queue and outcome, from the worker's own events. */
export function observeJobDurations(metrics: Metrics, worker: Worker): void {
  const observe = (job: Job | undefined, outcome: string) => {
    if (job?.processedOn && job.finishedOn) {
      metrics.jobDurationSeconds.observe(
        { queue: worker.name, outcome },
        (job.finishedOn - job.processedOn) / 1000,
      );
    }
  };
  worker.on('completed', (job) => observe(job, 'completed'));
  worker.on('failed', (job) => observe(job, 'failed'));
}

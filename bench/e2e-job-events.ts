import { Redis } from 'ioredis';

/** When a BullMQ job was added, first taken by a worker and completed: epoch ms of Redis's clock. */
export interface JobTimes {
  addedAt?: number;
  activeAt?: number;
  completedAt?: number;
}

/**
 * Reads the event streams BullMQ writes anyway (`<prefix>:<queue>:events`: added, active,
 * completed, ...) from a connection of its own while a step runs, and keeps each job's times from
 * the stream entries' ids (Redis's clock, in ms). Nothing is added to the pipeline's own path; the
 * streams are capped (about 10,000 entries), so reading starts with the step and keeps up with it.
 */
export function watchJobEvents(redisUrl: string, streams: readonly string[]) {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const jobs = new Map<string, JobTimes>();
  let running = true;
  const read = async () => {
    const ids = streams.map(() => '$');
    while (running) {
      const replies = (await redis.xread('COUNT', 5000, 'BLOCK', 200, 'STREAMS', ...streams, ...ids)) ?? [];
      for (const [stream, entries] of replies) {
        const at = streams.indexOf(stream);
        for (const [id, fields] of entries) {
          ids[at] = id;
          record(jobs, Number(id.split('-')[0]), fields);
        }
      }
    }
  };
  const done = read();
  return {
    jobs,
    /** Stops after the read in progress (at most 200 ms). */
    async stop(): Promise<Map<string, JobTimes>> {
      running = false;
      await done;
      redis.disconnect();
      return jobs;
    },
  };
}

function record(jobs: Map<string, JobTimes>, at: number, fields: readonly string[]): void {
  let event: string | undefined;
  let jobId: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'event') event = fields[i + 1];
    else if (fields[i] === 'jobId') jobId = fields[i + 1];
  }
  if (jobId === undefined) return;
  let times = jobs.get(jobId);
  if (!times) {
    times = {};
    jobs.set(jobId, times);
  }
  if (event === 'added') times.addedAt ??= at;
  else if (event === 'active') times.activeAt ??= at;
  else if (event === 'completed') times.completedAt = at;
}

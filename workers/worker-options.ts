import type { WorkerOptions } from 'bullmq';

/** What every worker shares: the Redis connection, the key prefix and the concurrency. */
export type WorkerConnection = Pick<WorkerOptions, 'connection' | 'prefix' | 'concurrency' | 'autorun'>;

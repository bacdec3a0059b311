import type { DefaultJobOptions } from 'bullmq';
import type { Config } from '../../config/index.ts';

/**
 * Retries with exponential backoff, then the job stays visible as failed (bounded retention) for the
 * dashboard and the admin re-drive. Completed jobs are trimmed by count.
 */
export function defaultJobOptions(config: Config): DefaultJobOptions {
  return {
    attempts: config.JOB_ATTEMPTS,
    backoff: { type: 'exponential', delay: config.JOB_BACKOFF_MS },
    removeOnComplete: { count: config.JOB_COMPLETED_RETENTION },
    removeOnFail: { count: config.JOB_FAILED_RETENTION },
  };
}

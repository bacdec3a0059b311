import { type Job, type Queue, UnrecoverableError, Worker } from 'bullmq';
import type { AccessibleResource } from '../src/atlassian/oauth/oauth-client.ts';
import type { Connection } from '../src/connections/connection.ts';
import type { ConnectionStore } from '../src/connections/connection-store.ts';
import type { DeadLetterResendReport } from '../src/kafka/durable-dead-letter-publisher.ts';
import type { Logger } from '../src/logger.ts';
import { maintenanceJobs, reconcileJob, reconcileWebhooksSchema } from '../src/queues/maintenance-jobs.ts';
import { queueNames } from '../src/queues/queue-names.ts';
import { refreshAccessibleResources } from '../src/tokens/accessible-resources-refresh.ts';
import type { TokenManager } from '../src/tokens/token-manager.ts';
import type { WebhookRegistrar } from '../src/webhooks/webhook-registrar.ts';
import type { WorkerConnection } from './worker-options.ts';

export interface MaintenanceDeps {
  readonly registrar: WebhookRegistrar;
  readonly connections: ConnectionStore;
  readonly tokens: TokenManager;
  /** The maintenance queue itself: the sweep fans out one reconcile job per connection. */
  readonly queue: Queue;
  /** accessible-resources, read with each account's own token by the resources refresh. */
  readonly oauth: { accessibleResources(accessToken: string): Promise<AccessibleResource[]> };
  /** The OAuth callback's follow-up (webhook registration, sync), for sites a refresh finds newly. */
  readonly onConnected: (connections: Connection[]) => Promise<void>;
  /** OAUTH_ALLOWED_SITES. */
  readonly allowedSites: readonly string[];
  /** Dead letters Kafka could not take, re-sent by their job; absent, that job fails unrecoverably. */
  readonly deadLetters?: { resendPending(): Promise<DeadLetterResendReport> };
  readonly log: Logger;
}

/** How often each repeating job runs, in ms; a job whose interval is absent is not scheduled. */
export interface MaintenanceIntervals {
  readonly webhookRefreshMs: number;
  readonly keepAliveMs: number;
  readonly resourcesRefreshMs: number;
  /** TOKEN_RESEAL_INTERVAL_SECONDS */
  readonly tokenResealMs?: number;
  /** DEAD_LETTER_RESEND_INTERVAL_SECONDS */
  readonly deadLetterResendMs?: number;
}

async function processMaintenance(job: Job, deps: MaintenanceDeps): Promise<unknown> {
  const log = deps.log.child({ queue: queueNames.maintenance, jobId: job.id, job: job.name });
  switch (job.name) {
    case maintenanceJobs.reconcileWebhooks: {
      const parsed = reconcileWebhooksSchema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError('reconcile job without a connectionId');
      const outcome = await deps.registrar.reconcile(parsed.data.connectionId);
      log.info(
        { connection: parsed.data.connectionId, outcome: outcome.kind },
        'webhook registration reconciled',
      );
      return outcome;
    }
    case maintenanceJobs.refreshWebhooks: {
      const active = (await deps.connections.list()).filter((c) => c.status === 'active');
      await deps.queue.addBulk(active.map((c) => reconcileJob(c.id)));
      return { connections: active.length };
    }
    case maintenanceJobs.keepTokensAlive:
      return deps.tokens.refreshIdleGrants(Date.now());
    case maintenanceJobs.refreshResources: {
      const report = await refreshAccessibleResources({ ...deps, log });
      log.info(report, 'accessible-resources refreshed');
      return report;
    }
    case maintenanceJobs.resealTokens: {
      const report = await deps.tokens.resealGrants();
      if (report.resealed + report.unreadable > 0) log.info(report, 'grants re-sealed with the first key');
      return report;
    }
    case maintenanceJobs.resendDeadLetters:
      if (!deps.deadLetters) throw new UnrecoverableError('no dead-letter publisher to re-send with');
      return deps.deadLetters.resendPending();
    default:
      throw new UnrecoverableError(`unknown maintenance job ${job.name}`);
  }
}

/** One reconcile per connection at a time: a repeat while one is queued is dropped. */
export function startMaintenanceWorker(connection: WorkerConnection, deps: MaintenanceDeps): Worker {
  return new Worker(queueNames.maintenance, (job) => processMaintenance(job, deps), {
    ...connection,
    concurrency: 4,
  });
}

/** The repeating maintenance jobs, as BullMQ job schedulers (idempotent: upserted at every start). */
export async function scheduleMaintenance(queue: Queue, intervals: MaintenanceIntervals): Promise<void> {
  const schedules: [key: string, name: string, every: number | undefined][] = [
    ['webhook-refresh', maintenanceJobs.refreshWebhooks, intervals.webhookRefreshMs],
    ['token-keep-alive', maintenanceJobs.keepTokensAlive, intervals.keepAliveMs],
    ['accessible-resources-refresh', maintenanceJobs.refreshResources, intervals.resourcesRefreshMs],
    ['token-reseal', maintenanceJobs.resealTokens, intervals.tokenResealMs],
    ['dead-letter-resend', maintenanceJobs.resendDeadLetters, intervals.deadLetterResendMs],
  ];
  for (const [key, name, every] of schedules) {
    if (every !== undefined) await queue.upsertJobScheduler(key, { every }, { name });
  }
}

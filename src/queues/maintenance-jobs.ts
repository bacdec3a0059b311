import { z } from 'zod';

/** Jobs of the maintenance queue, by name. */
export const maintenanceJobs = {
  /** Register or repair the dynamic webhook of one connection (after consent, re-consent, project change). */
  reconcileWebhooks: 'webhooks.reconcile',
  /** Scheduler: every connection's registration checked, refreshed near expiry, re-registered if missing. */
  refreshWebhooks: 'webhooks.refresh-all',
  /** Scheduler: grants idle long enough are refreshed before Atlassian's 90-day inactivity expiry. */
  keepTokensAlive: 'tokens.keep-alive',
  /** Scheduler: every grant's accessible-resources read again; renamed, removed and new sites applied. */
  refreshResources: 'connections.refresh-resources',
  /** Scheduler: grants sealed with a key other than the first of TOKEN_ENCRYPTION_KEY re-sealed with it. */
  resealTokens: 'tokens.reseal',
  /** Scheduler: dead letters recorded in Redis while Kafka could not take them are sent again. */
  resendDeadLetters: 'dead-letters.resend',
} as const;

export const reconcileWebhooksSchema = z.object({ connectionId: z.string().min(1) });

/** The job that registers or repairs one connection's webhook; one at a time per connection. */
export function reconcileJob(connectionId: string) {
  return {
    name: maintenanceJobs.reconcileWebhooks,
    data: { connectionId },
    opts: { deduplication: { id: `reconcile-${connectionId}` } },
  };
}

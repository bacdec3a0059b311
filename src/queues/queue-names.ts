/** Every BullMQ queue of the relay. Workers subscribe by these names; the dashboard lists them all. */
export const queueNames = {
  /** Raw webhook deliveries, acknowledged to Jira once they are here. */
  events: 'jira-events',
  /** Polls, backfills and reconciles, at most one in flight per site. */
  sync: 'jira-sync',
  /** Normalized changes, one job per change, fanned out to every enabled connector. */
  changes: 'jira-changes',
  /** Webhook refresh, token keep-alive, accessible-resources refresh. */
  maintenance: 'maintenance',
} as const;

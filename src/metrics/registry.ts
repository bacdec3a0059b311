import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/**
 * Every metric family of a process in one registry (served at /metrics). Components receive the
 * metrics they update; nothing registers into prom-client's global registry.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = {
    registry,
    webhooksReceived: new Counter({
      name: 'jira_relay_webhooks_received_total',
      help: 'Webhook deliveries received, by event and outcome.',
      labelNames: ['event', 'outcome'] as const,
      registers: [registry],
    }),
    webhooksRejected: new Counter({
      name: 'jira_relay_webhooks_rejected_total',
      help: 'Webhook deliveries refused, by reason (auth failures, malformed bodies, overload).',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    webhookIntakeSeconds: new Histogram({
      name: 'jira_relay_webhook_intake_seconds',
      help: 'Time from request to acknowledgement of a webhook delivery.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
  };
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;

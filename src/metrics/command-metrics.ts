import { Counter, Histogram, type Registry } from 'prom-client';

const commandLatencyBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Two-way sync: commands applied to Jira, how long they took, and the echoes kept from their senders. */
export function commandFamilies(registers: Registry[]) {
  return {
    commandsTotal: new Counter({
      name: 'jira_relay_commands_total',
      help: 'Commands answered, by type and result status (applied, duplicate, conflict, invalid, rejected, failed).',
      labelNames: ['type', 'status'] as const,
      registers,
    }),
    commandLatencySeconds: new Histogram({
      name: 'jira_relay_command_latency_seconds',
      help: 'From a command’s ce_time (or its arrival, without one) to its result being published.',
      labelNames: ['type'] as const,
      buckets: commandLatencyBuckets,
      registers,
    }),
    echoesSuppressed: new Counter({
      name: 'jira_relay_echoes_suppressed_total',
      help: 'Changes caused by a command’s write that were not published back to the connector whose system sent it.',
      labelNames: ['connector'] as const,
      registers,
    }),
  };
}

import type { WebhookStats } from '../../../bench/chaos/deliveries.ts';
import { orderViolationLines, webhookLine } from '../../../bench/chaos/report.ts';
import type { Figures } from '../../../bench/chaos/verify.ts';
import { type FaultRecord, faultRows, formatTable, type ReadinessSample } from './recovery.ts';

/** What one fleet run measured, for the figures it prints at its end. */
export interface FleetRun {
  readonly redis: string;
  readonly figures: Figures;
  readonly changes: number;
  readonly eventsRead: number;
  readonly schemaErrors: number;
  readonly faults: readonly FaultRecord[];
  readonly loadStartedAt: number;
  readonly loadEndedAt: number;
  /** Kafka timestamps of the relay's events, sorted. */
  readonly publishTimes: readonly number[];
  readonly samples: readonly ReadinessSample[];
  readonly webhooks: WebhookStats;
  readonly webhooksPerApi: readonly number[];
}

/**
 * The run's figures as two Markdown tables (what was expected and found on Kafka; per fault, how
 * long until it was repaired, publishing resumed and every process was ready) and the webhook line.
 */
export function fleetReport(r: FleetRun): string {
  const f = r.figures;
  const figures = [
    ['figure', 'value'],
    ['changes made in Jira', String(r.changes)],
    ['final states expected', String(f.expected)],
    ['final states found', String(f.found)],
    ['events read', String(r.eventsRead)],
    ['repeats (same ce_id again)', String(f.repeats)],
    ['extra ce_ids for one (type, subject, version)', String(f.sameVersionIds)],
    ['order violations', String(f.orderViolations.length)],
    ['dead letters', String(f.deadLetters)],
    ['schema violations', String(r.schemaErrors)],
  ];
  const faults = faultRows(r.faults, { ...r, windowMs: 15_000 });
  return [
    `\nfleet figures (Redis: ${r.redis}; Kafka: 3 brokers, RF 3, min ISR 2):`,
    formatTable(figures),
    '',
    formatTable(faults),
    '',
    `webhooks: ${webhookLine(r.webhooks)}`,
    `webhooks answered per api process: ${r.webhooksPerApi.join(', ')}`,
    ...(f.orderViolations.length > 0 ? ['order violations:', ...orderViolationLines(f)] : []),
  ].join('\n');
}

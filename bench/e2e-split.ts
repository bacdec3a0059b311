import type { JobTimes } from './e2e-job-events.ts';
import type { EventSeen } from './e2e-reader.ts';

/** Everything known of one delivery's way, epoch ms (generator, Redis and producer clocks: one machine). */
export interface DeliveryTimeline {
  readonly sentAt: number;
  readonly respondedAt?: number | undefined;
  /** The job that carried it: the relay's events job (a batch), or the bare pipeline's own. */
  readonly job?: JobTimes | undefined;
  readonly crm?: EventSeen | undefined;
  readonly monitoring?: EventSeen | undefined;
}

export interface SplitRow {
  readonly segment: string;
  /** On the delivery's path: these rows add up to `end to end` (their means exactly). */
  readonly onPath: boolean;
  readonly count: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

interface Segment {
  readonly name: string;
  readonly onPath: boolean;
  readonly of: (t: Complete) => number | undefined;
}

/** A delivery whose two events were read; `last` is the one read later, `firstCreated` the earlier creation. */
interface Complete extends DeliveryTimeline {
  readonly last: EventSeen;
  readonly firstCreated: number;
}

const segments: readonly Segment[] = [
  {
    name: 'intake answered: sent → 2xx (beside the path)',
    onPath: false,
    of: (t) => since(t.sentAt, t.respondedAt),
  },
  { name: 'into the queue: sent → job added', onPath: true, of: (t) => since(t.sentAt, t.job?.addedAt) },
  {
    name: 'queue pickup: job added → active',
    onPath: true,
    of: (t) => since(t.job?.addedAt, t.job?.activeAt),
  },
  {
    name: 'to the first publish: active → first message created',
    onPath: true,
    of: (t) => since(t.job?.activeAt, t.firstCreated),
  },
  {
    name: 'between the publishes: first → later-read message created',
    onPath: true,
    of: (t) => t.last.createdAt - t.firstCreated,
  },
  {
    name: 'Kafka ack + consume: created → readable',
    onPath: true,
    of: (t) => t.last.readAt - t.last.createdAt,
  },
  { name: 'end to end: sent → both readable', onPath: false, of: (t) => t.last.readAt - t.sentAt },
  {
    name: 'ack and bookkeeping: later message created → job completed (beside the path)',
    onPath: false,
    of: (t) => since(t.last.createdAt, t.job?.completedAt),
  },
];

function since(from: number | undefined, to: number | undefined): number | undefined {
  return from === undefined || to === undefined ? undefined : to - from;
}

/**
 * Where a delivery's time went, segment by segment, over the deliveries whose two events were read
 * and whose job's times are known. Segments on the path are measured between consecutive points of
 * the same delivery, so their means add up to the end-to-end mean over those deliveries.
 */
export function splitTimelines(timelines: Iterable<DeliveryTimeline>): SplitRow[] {
  const complete: Complete[] = [];
  for (const t of timelines) {
    const { crm, monitoring } = t;
    if (!crm || !monitoring || t.job?.addedAt === undefined || t.job.activeAt === undefined) continue;
    const last = crm.readAt >= monitoring.readAt ? crm : monitoring;
    complete.push({ ...t, last, firstCreated: Math.min(crm.createdAt, monitoring.createdAt) });
  }
  return segments.map(({ name, onPath, of }) => {
    const values = complete.map(of).filter((v): v is number => v !== undefined);
    return { segment: name, onPath, ...stats(values) };
  });
}

/** Count, mean and quantiles of values in ms. */
export function stats(values: readonly number[]): {
  count: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
} {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  const mean = sorted.length === 0 ? Number.NaN : sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return { count: sorted.length, meanMs: mean, p50Ms: at(0.5), p99Ms: at(0.99) };
}

const ms = (v: number) => (Number.isNaN(v) ? '–' : v.toFixed(1));

/** One table: each segment at each rate, relay beside bare, and the relay's extra mean. */
export function splitTable(
  steps: readonly {
    readonly rate: number;
    readonly relay: readonly SplitRow[];
    readonly bare: readonly SplitRow[];
  }[],
): string {
  const lines = steps.flatMap(({ rate, relay, bare }) =>
    relay.map((r, i) => {
      const b = bare[i];
      const extra = b ? r.meanMs - b.meanMs : Number.NaN;
      return `| ${rate}/s | ${r.segment} | ${ms(r.p50Ms)} / ${ms(r.p99Ms)} / ${ms(r.meanMs)} | ${b ? `${ms(b.p50Ms)} / ${ms(b.p99Ms)} / ${ms(b.meanMs)}` : '–'} | ${r.onPath ? `**${ms(extra)}**` : ms(extra)} | ${r.count} / ${b?.count ?? 0} |`;
    }),
  );
  return [
    '| rate | segment | relay p50 / p99 / mean ms | bare p50 / p99 / mean ms | relay − bare, mean ms | deliveries (relay / bare) |',
    '|---|---|---|---|---|---|',
    ...lines,
  ].join('\n');
}
